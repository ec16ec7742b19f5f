import { expect, test } from '@playwright/test';
import { apiSendMany, closeAll, newPerson, openThread, startDirectChat } from './chat-support';
test('debug scroll', async ({ browser }) => {
  test.setTimeout(90_000);
  const other = await newPerson(browser, 'dbgo');
  const me = await newPerson(browser, 'dbg');
  const page = me.page;
  const id = await startDirectChat(page, other.name, 'the very first');
  await apiSendMany(page, id, Array.from({length: 120}, (_, i) => `history ${i}`));
  await openThread(page, id);
  const info = await page.evaluate(async () => {
    const list = document.getElementById('messages')!;
    const log: string[] = [];
    const top = document.querySelector('[data-testid="message"]')!;
    const snap = (l: string) => log.push(`${l}: n=${document.querySelectorAll('[data-testid="message"]').length} st=${list.scrollTop} sh=${list.scrollHeight} ch=${list.clientHeight} y=${top.getBoundingClientRect().top}`);
    snap('start');
    list.addEventListener('scroll', () => snap('scroll'));
    list.scrollTop = -(list.scrollHeight - list.clientHeight);
    snap('after set');
    await new Promise(r => setTimeout(r, 2500));
    snap('end');
    return log;
  });
  console.log(info.join('\n'));
  await closeAll(me, other);
});
