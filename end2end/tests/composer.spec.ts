import { expect } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  composer,
  composerReady,
  navItem,
  newPerson,
  openList,
  openThread,
  startDirectChat,
  type Person,
} from './chat-support';

let me: Person;
let other: Person;
let thread: string;

// Each test gets its own pair of users and direct chat.
test.beforeEach(async ({ browser }) => {
  other = await newPerson(browser, 'cmpo');
  me = await newPerson(browser, 'cmp');
  thread = await startDirectChat(me.page, other.name, 'hello composer');
  await composerReady(me.page);
});

test.afterEach(async () => {
  await closeAll(me, other);
});

test('the composer grows with its text up to four lines, then scrolls', async () => {
  const box = composer(me.page);
  const height = async (lines: number) => {
    await box.fill(Array.from({ length: lines }, (_, i) => `line ${i + 1}`).join('\n'));
    // field-sizing reflows on the next frame.
    await me.page.evaluate(() => new Promise(requestAnimationFrame));
    return box.evaluate((el) => ({
      h: el.getBoundingClientRect().height,
      client: el.clientHeight,
      scroll: el.scrollHeight,
    }));
  };
  const one = await height(1);
  const two = await height(2);
  const three = await height(3);
  const four = await height(4);
  const five = await height(5);
  const eight = await height(8);

  expect(two.h).toBeGreaterThan(one.h);
  expect(three.h).toBeGreaterThan(two.h);
  expect(four.h).toBeGreaterThan(three.h);
  // One line of text is 20px.
  expect(two.h - one.h).toBeCloseTo(20, 0);
  expect(four.h - three.h).toBeCloseTo(20, 0);
  // From the fifth line on it stops growing and scrolls instead.
  expect(five.h).toBeCloseTo(four.h, 0);
  expect(eight.h).toBeCloseTo(four.h, 0);
  expect(four.scroll).toBeLessThanOrEqual(four.client + 1);
  expect(five.scroll).toBeGreaterThan(five.client);
  expect(eight.scroll).toBeGreaterThan(five.scroll);
  // Emptied, it shrinks back to one line.
  await box.fill('');
  await me.page.evaluate(() => new Promise(requestAnimationFrame));
  expect((await box.boundingBox())?.height).toBeCloseTo(one.h, 0);
});

test('Enter sends; Shift+Enter starts a new line', async () => {
  const page = me.page;
  const box = composer(page);
  const messages = page.getByTestId('message');
  await expect(messages).toHaveCount(1);

  await box.click();
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await expect(box).toHaveValue('line one\nline two');
  await expect(messages).toHaveCount(1);

  await page.keyboard.press('Enter');
  await expect(box).toHaveValue('');
  await expect(messages).toHaveCount(2);
  const body = messages.last().locator('.msg-body');
  expect(await body.innerText()).toBe('line one\nline two');
  // Shown on two lines.
  const lineHeight = await body.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
  expect((await body.boundingBox())!.height).toBeGreaterThanOrEqual(lineHeight * 2 - 1);

  // The newline is stored: the other person reads the same two lines.
  await openThread(other.page, thread);
  expect(await other.page.getByTestId('message').last().locator('.msg-body').innerText()).toBe(
    'line one\nline two',
  );
  // The one-line preview joins them.
  await openList(other.page);
  await expect(navItem(other.page, me.name).locator('.nav-preview')).toHaveText(`${me.name}: line one line two`);
});

test('empty or whitespace-only text cannot be sent', async () => {
  const page = me.page;
  const box = composer(page);
  const send = page.getByTestId('composer').getByRole('button', { name: 'Send' });
  const messages = page.getByTestId('message');
  await expect(messages).toHaveCount(1);

  await expect(send).toBeDisabled();
  await box.fill('   \n\t  ');
  await expect(send).toBeDisabled();
  await box.press('Enter');
  await page.waitForTimeout(300);
  await expect(messages).toHaveCount(1);

  await box.fill('');
  await box.press('Enter');
  await page.waitForTimeout(300);
  await expect(messages).toHaveCount(1);

  // Any visible character enables it again.
  await box.fill('  x  ');
  await expect(send).toBeEnabled();
  await send.click();
  await expect(messages).toHaveCount(2);
  await expect(box).toHaveValue('');
  await expect(send).toBeDisabled();

  // Nothing empty reached the server either.
  await openThread(page, thread);
  await expect(messages).toHaveCount(2);
});

test('a counter appears near the length limit', async () => {
  const page = me.page;
  const box = composer(page);
  const counter = page.getByTestId('counter');

  await box.fill('a'.repeat(3499));
  await expect(counter).toHaveCount(0);
  await box.fill('a'.repeat(3500));
  await expect(counter).toHaveText('3500 / 4000');
  await box.fill('a'.repeat(3987));
  await expect(counter).toHaveText('3987 / 4000');
  await box.fill('a'.repeat(4000));
  await expect(counter).toHaveText('4000 / 4000');
  // Past the limit the counter says so and nothing can be sent (the field
  // has no maxlength: that would count UTF-16 units, not characters).
  const send = page.getByTestId('composer').getByRole('button', { name: 'Send' });
  await box.press('End');
  await page.keyboard.type('bbb');
  await expect(counter).toHaveText('4003 / 4000');
  await expect(counter).toHaveClass(/\bover\b/);
  await expect(send).toBeDisabled();
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  await expect(box).toHaveValue('a'.repeat(4000));
  await expect(counter).toHaveText('4000 / 4000');
  await expect(send).toBeEnabled();
  // Sending a long message works and hides the counter.
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(counter).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveCount(2);
  expect((await page.getByTestId('message').last().locator('.msg-body').textContent())?.length).toBe(4000);
  // Back under the threshold: gone.
  await box.fill('a'.repeat(3600));
  await expect(counter).toBeVisible();
  await box.fill('short');
  await expect(counter).toHaveCount(0);
});

test('a sticker is sent from the picker and previews as 🖼️', async () => {
  const page = me.page;
  const stickers = page.getByRole('button', { name: 'Stickers' });
  await expect(stickers).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('menuitem', { name: 'Send otter sticker' })).toHaveCount(0);
  // The thread view is read again just after the chat was created (the
  // invite's own message arrives live), which can redraw the composer with
  // its picker closed under a click made meanwhile: open it until it stays.
  await expect(async () => {
    if ((await stickers.getAttribute('aria-expanded')) !== 'true') await stickers.click();
    await expect(stickers).toHaveAttribute('aria-expanded', 'true', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  const otter = page.getByRole('menuitem', { name: 'Send otter sticker' });
  await expect(otter).toBeVisible();
  await expect(page.getByRole('menu', { name: 'Stickers' }).getByRole('menuitem')).toHaveCount(6);
  await otter.click();

  // The picker closes and the sticker shows as an image.
  await expect(otter).toHaveCount(0);
  const sticker = page.getByTestId('message').last().locator('img.sticker');
  await expect(sticker).toBeVisible();
  await expect(sticker).toHaveAttribute('src', '/stickers/otter.svg');
  await expect(sticker).toHaveAttribute('alt', 'otter sticker');
  await expect.poll(() => sticker.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(navItem(page, other.name).locator('.nav-preview')).toHaveText('You: 🖼️');

  // The other person sees it too, and the preview in their list.
  await openList(other.page);
  await expect(navItem(other.page, me.name).locator('.nav-preview')).toHaveText(`${me.name}: 🖼️`);
  await openThread(other.page, thread);
  await expect(other.page.getByTestId('message').last().locator('img.sticker')).toHaveAttribute(
    'src',
    '/stickers/otter.svg',
  );
});

test('the sticker picker closes with Esc or a click outside, sending nothing', async () => {
  const page = me.page;
  const stickers = page.getByRole('button', { name: 'Stickers' });
  const menu = page.getByRole('menu', { name: 'Stickers' });
  const before = await page.getByTestId('message').count();

  await stickers.click();
  await expect(menu).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(stickers).toHaveAttribute('aria-expanded', 'false');

  await stickers.click();
  await expect(menu).toBeVisible();
  await page.getByTestId('thread-title').click();
  await expect(menu).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveCount(before);
});
