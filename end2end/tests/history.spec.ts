import { expect, type Browser, type Page } from '@playwright/test';
import { test } from './support';
import {
  apiSendMany,
  closeAll,
  composerReady,
  inViewport,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openThread,
  q,
  setReadUpTo,
  sql,
  startDirectChat,
  watchConsole,
} from './chat-support';
import { hydrated } from './support';

test.describe.configure({ timeout: 90_000 });

const numbered = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(3, '0')}`);

/**
 * Scrolls the (bottom-up) message list to its top and returns where the
 * message `id` is on screen at that moment, before any older page arrives.
 */
function scrollToTop(page: Page, id: string): Promise<number> {
  return page.evaluate((id) => {
    const list = document.getElementById('messages')!;
    list.scrollTop = -(list.scrollHeight - list.clientHeight);
    return document.querySelector(`[data-testid="message"][data-id="${id}"]`)!.getBoundingClientRect().top;
  }, id);
}

function topOf(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (id) => document.querySelector(`[data-testid="message"][data-id="${id}"]`)!.getBoundingClientRect().top,
    id,
  );
}

test('a long chat opens at the newest message and loads older pages on scrolling up', async ({ browser }) => {
  const other = await newPerson(browser, 'hiso');
  const me = await newPerson(browser, 'his');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'the very first');
    await apiSendMany(page, id, numbered('history', 120));

    await openThread(page, id);
    const messages = page.getByTestId('message');
    // One page of 50: history 071 … history 120.
    await expect(messages).toHaveCount(50);
    await expect(messages.first()).toHaveText(/history 071/);
    const newest = messageWithText(page, 'history 120');
    await expect(newest).toBeVisible();
    expect(await inViewport(newest)).toBe(true);
    expect(await inViewport(messageWithText(page, 'history 071'))).toBe(false);
    expect(await page.locator('#messages').evaluate((el) => el.scrollTop)).toBeGreaterThanOrEqual(-2);
    await expect(page.getByRole('link', { name: 'Load older messages' })).toBeAttached();
    await expect(page.getByTestId('user-card')).toHaveCount(0);

    // Scrolling to the top loads older pages (50 at a time) until the
    // history starts.
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      const n = await messages.count();
      if (n >= 121) break;
      await scrollToTop(page, (await messages.first().getAttribute('data-id'))!);
      await expect.poll(() => messages.count()).toBeGreaterThan(n);
      seen.push(await messages.count());
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const n of seen) expect([100, 121]).toContain(n);
    await expect(messages).toHaveCount(121);
    await expect(messages.first()).toHaveText(/the very first/);
    await expect(page.getByRole('link', { name: 'Load older messages' })).toHaveCount(0);
    await expect(page.getByTestId('user-card')).toBeAttached();
    // In order, none twice.
    const texts = await messages.locator('.msg-body').allTextContents();
    expect(texts).toEqual(['the very first', ...numbered('history', 120)]);
  } finally {
    await closeAll(me, other);
  }
});

test('“Load older messages” loads the page before; a click while a load is under way joins it', async ({ browser }) => {
  const other = await newPerson(browser, 'hko');
  const me = await newPerson(browser, 'hk');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'the very first');
    await apiSendMany(page, id, numbered('history', 170));
    await openThread(page, id);
    const messages = page.getByTestId('message');
    await expect(messages).toHaveCount(50);
    const link = page.getByRole('link', { name: 'Load older messages' });

    // Older pages are held back until the test lets them through: a click
    // racing a load that moves the link away (or removes it, on the last
    // page) is what made this test flaky.
    const asked: string[] = [];
    let letThrough!: () => void;
    const gate = new Promise<void>((resolve) => (letThrough = resolve));
    await page.route('**/api/older_messages*', async (route) => {
      asked.push(route.request().postData() ?? '');
      await gate;
      await route.continue();
    });

    // A reader who scrolls up to the link starts a load by scrolling; the
    // link says so...
    await link.scrollIntoViewIfNeeded();
    await expect.poll(() => asked.length).toBe(1);
    const busy = page.locator('.history-more a');
    await expect(busy).toHaveText('Loading…');
    await expect(busy).toHaveAttribute('aria-disabled', 'true');
    // ...and a click on it meanwhile joins that load: no second request.
    await busy.click({ force: true });
    letThrough();
    await expect(messages).toHaveCount(100);
    await expect(link).toHaveAttribute('aria-disabled', 'false');
    expect(asked).toHaveLength(1);

    // The link alone (focused without scrolling, so no scroll loads):
    // each Enter loads the page before, and the link keeps the focus.
    await link.evaluate((el) => (el as HTMLElement).focus({ preventScroll: true }));
    await page.keyboard.press('Enter');
    await expect(messages).toHaveCount(150);
    await expect(link).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(messages).toHaveCount(171);
    await expect(link).toHaveCount(0);
    expect(asked).toHaveLength(3);
    // In order, none twice.
    const texts = await messages.locator('.msg-body').allTextContents();
    expect(texts).toEqual(['the very first', ...numbered('history', 170)]);
  } finally {
    await closeAll(me, other);
  }
});

test('loading an older page keeps the messages on screen where they were', async ({ browser }) => {
  const other = await newPerson(browser, 'hjo');
  const me = await newPerson(browser, 'hj');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'the very first');
    await apiSendMany(page, id, numbered('history', 120));
    await openThread(page, id);
    const messages = page.getByTestId('message');
    await expect(messages).toHaveCount(50);

    // The second message on top (the first may lose its name when older
    // messages join its group, which changes its own height).
    let watched = (await messages.nth(1).getAttribute('data-id'))!;
    let before = await scrollToTop(page, watched);
    await expect(messages).toHaveCount(100);
    await expect(messages.first()).toHaveText(/history 021/);
    expect(Math.abs((await topOf(page, watched)) - before)).toBeLessThanOrEqual(3);
    // No second page without scrolling again.
    await page.waitForTimeout(500);
    await expect(messages).toHaveCount(100);

    watched = (await messages.nth(1).getAttribute('data-id'))!;
    before = await scrollToTop(page, watched);
    await expect(messages).toHaveCount(121);
    expect(Math.abs((await topOf(page, watched)) - before)).toBeLessThanOrEqual(3);
  } finally {
    await closeAll(me, other);
  }
});

/**
 * Two people in a direct chat started by `me` with one message, then 120
 * messages from the other person: unread for `me`.
 */
async function manyUnread(browser: Browser, prefix: string) {
  const other = await newPerson(browser, `${prefix}o`);
  const me = await newPerson(browser, prefix);
  const id = await startDirectChat(me.page, other.name, 'are you there?');
  // Away from the chat: with it open, the messages would arrive live and be
  // read as they came.
  await openList(me.page);
  await openThread(other.page, id);
  await apiSendMany(other.page, id, numbered('unread', 120));
  // Read up to my own message (to make it unread again later).
  const lastRead = Number(
    sql(`SELECT id FROM messages WHERE body = 'are you there?' AND thread_id =
           (SELECT id FROM threads WHERE public_id = ${q(id)})`),
  );
  return { me, other, id, lastRead };
}

/** The "New messages" marker and what follows it, for 120 unread. */
async function checkMarker(page: Page, sender: string) {
  const marker = page.locator('#unread-marker');
  await expect(marker).toHaveText('New messages');
  // The first page stretches back to the first unread message.
  await expect(page.getByTestId('message')).toHaveCount(121);
  const firstUnread = page.locator('#unread-marker + [data-testid="message"]');
  await expect(firstUnread.locator('.msg-body')).toHaveText('unread 001');
  // It starts a group (name and time), whatever came before.
  await expect(firstUnread).toHaveClass(/\bmsg-start\b/);
  await expect(firstUnread.locator('.msg-sender')).toHaveText(sender);
  await expect(page.locator('[data-testid="message"] + #unread-marker')).toHaveCount(1);
}

/** The marker is at the top of the message list's viewport. */
async function checkLandedAtMarker(page: Page) {
  const marker = page.locator('#unread-marker');
  const firstUnread = page.locator('#unread-marker + [data-testid="message"]');
  await expect.poll(() => inViewport(marker)).toBe(true);
  await expect.poll(() => inViewport(firstUnread)).toBe(true);
  const listTop = await page.locator('#messages').evaluate((el) => el.getBoundingClientRect().top);
  const markerTop = await marker.evaluate((el) => el.getBoundingClientRect().top);
  expect(markerTop - listTop).toBeLessThan(60);
  expect(markerTop - listTop).toBeGreaterThanOrEqual(-1);
  expect(await inViewport(messageWithText(page, 'unread 120'))).toBe(false);
}

test('many unread messages: a capped badge, then all of them after a “New messages” marker', async ({ browser }) => {
  const { me, other, id } = await manyUnread(browser, 'unm');
  try {
    const page = me.page;
    await openList(page);
    const badge = navItem(page, other.name).getByTestId('unread');
    await expect(badge).toHaveText('99');
    await expect(badge).toHaveAttribute('aria-label', '120 unread');

    await navItem(page, other.name).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await checkMarker(page, other.name);

    // Read now: the next visit has no marker and opens at the newest.
    await openThread(page, id);
    await expect(page.getByTestId('message')).toHaveCount(50);
    await expect(page.getByTestId('message').last()).toHaveText(/unread 120/);
    await expect(page.locator('#unread-marker')).toHaveCount(0);
    await expect.poll(() => inViewport(messageWithText(page, 'unread 120'))).toBe(true);
    await openList(page);
    await expect(badge).toHaveCount(0);
  } finally {
    await closeAll(me, other);
  }
});

test('opening a chat with unread messages from the list lands at “New messages”', async ({ browser }) => {
  const { me, other, id } = await manyUnread(browser, 'unc');
  try {
    const page = me.page;
    await openList(page);
    await navItem(page, other.name).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await checkMarker(page, other.name);
    await checkLandedAtMarker(page);
  } finally {
    await closeAll(me, other);
  }
});

// Regression test: the server once wrote the open chat's nav badge and the
// browser did not, so this load always panicked while hydrating.
test('loading a chat with unread messages lands at “New messages”', async ({ browser }) => {
  const { me, other, id, lastRead } = await manyUnread(browser, 'unf');
  try {
    const page = me.page;
    const problems = watchConsole(page);
    // Not loaded since the 120 arrived; make sure all of them are unread.
    setReadUpTo(id, me.name, lastRead);
    await page.goto(`/chat/${id}`);
    await hydrated(page);
    await checkMarker(page, other.name);
    await checkLandedAtMarker(page);
    // Live: the composer has hydrated.
    await composerReady(page);
    expect(problems).toEqual([]);
  } finally {
    await closeAll(me, other);
  }
});
