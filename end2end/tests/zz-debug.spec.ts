import { expect, test } from '@playwright/test';
import { closeAll, newPerson, startDirectChat, sendMessage, watchConsole } from './chat-support';
import * as fs from 'node:fs';
test('debug hydrate', async ({ browser }) => {
  test.setTimeout(120_000);
  const other = await newPerson(browser, 'dbgo');
  const me = await newPerson(browser, 'dbg');
  const id = await startDirectChat(me.page, other.name, 'first of mine');
  await sendMessage(me.page, 'second of mine');
  let html = '';
  other.page.on('response', async r => { if (r.request().resourceType() === 'document') html = await r.text(); });
  const probs = watchConsole(other.page);
  let good = '';
  for (let i = 0; i < 15; i++) {
    probs.length = 0;
    await other.page.goto(i % 2 ? `/chat/${id}` : '/chat');
    await other.page.waitForTimeout(700);
    const bad = probs.some(p => p.includes('panicked'));
    console.log(i, other.page.url(), bad, probs.map(p => p.slice(0, 80)));
    if (bad) { fs.writeFileSync(`/tmp/bad-${i}.html`, html); } else { fs.writeFileSync(`/tmp/good-${i % 2}.html`, html); }
  }
  await closeAll(me, other);
});
