import { expect, test } from '@playwright/test';
import { closeAll, newPerson, startDirectChat, sendMessage, watchConsole } from './chat-support';
test('debug hydrate list', async ({ browser }) => {
  test.setTimeout(120_000);
  const other = await newPerson(browser, 'dbgo');
  const me = await newPerson(browser, 'dbg');
  const id = await startDirectChat(me.page, other.name, 'first of mine');
  const probs = watchConsole(other.page);
  let bad = 0;
  for (let i = 0; i < 40; i++) {
    probs.length = 0;
    await other.page.goto('/chat');
    await other.page.waitForTimeout(400);
    if (probs.length) { bad++; console.log(i, probs.map(p => p.slice(0, 80))); }
  }
  console.log('bad', bad);
  await closeAll(me, other);
});
