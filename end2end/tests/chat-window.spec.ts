import { expect, type Page } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  messageAt,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openThread,
  ownNavItems,
  sendMessage,
  startDirectChat,
} from './chat-support';

/** The clock time ("3:04 PM") of epoch `ms` in the page's own zone. */
function clockIn(page: Page, ms: number): Promise<string> {
  return page.evaluate(
    (at) => new Date(at).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' }).replace(/\s/g, ' '),
    ms,
  );
}

function norm(s: string | null): string {
  return (s ?? '').replace(/\s/g, ' ').trim();
}

test('the chat list puts the most recent activity first and previews the last message', async ({ browser }) => {
  const ann = await newPerson(browser, 'nva');
  const ben = await newPerson(browser, 'nvb');
  const me = await newPerson(browser, 'nvme');
  try {
    const page = me.page;
    const withAnn = await startDirectChat(page, ann.name, 'first to ann');
    const withBen = await startDirectChat(page, ben.name, 'first to ben');
    const names = ownNavItems(page).locator('.nav-name');
    await expect(names).toHaveText([ben.name, ann.name]);

    // Ann answers: her chat moves to the top with her name in the preview.
    await openThread(ann.page, withAnn);
    const annMsg = await sendMessage(ann.page, 'ann answers');
    const annAt = await messageAt(annMsg);
    await openList(page);
    await expect(names).toHaveText([ann.name, ben.name]);
    const annItem = navItem(page, ann.name);
    const benItem = navItem(page, ben.name);
    await expect(annItem.locator('.nav-preview')).toHaveText(`${ann.name}: ann answers`);
    await expect(benItem.locator('.nav-preview')).toHaveText('You: first to ben');
    await expect(annItem.getByTestId('unread')).toHaveText('1');
    await expect(benItem.getByTestId('unread')).toHaveCount(0);
    // Today's message: the time of day, in the viewer's zone.
    expect(norm(await annItem.locator('.nav-time').textContent())).toBe(await clockIn(page, annAt));
    expect(norm(await benItem.locator('.nav-time').textContent())).toMatch(/^\d{1,2}:\d{2} [AP]M$/);

    // Sending in the older chat moves it back to the top at once.
    await benItem.click();
    await expect(page).toHaveURL(new RegExp(`/chat/${withBen}$`));
    await expect(page.getByTestId('thread-title')).toHaveText(ben.name);
    await sendMessage(page, 'back to ben');
    await expect(names).toHaveText([ben.name, ann.name]);
    await expect(benItem.locator('.nav-preview')).toHaveText('You: back to ben');
    // And it stays there after a reload.
    await openList(page);
    await expect(names).toHaveText([ben.name, ann.name]);
  } finally {
    await closeAll(me, ann, ben);
  }
});

test('a chat once opened has no unread badge on the next visit', async ({ browser }) => {
  const other = await newPerson(browser, 'unro');
  const me = await newPerson(browser, 'unr');
  try {
    const id = await startDirectChat(other.page, me.name, 'one');
    await sendMessage(other.page, 'two');
    await sendMessage(other.page, 'three');

    await openList(me.page);
    const item = navItem(me.page, other.name);
    await expect(item.getByTestId('unread')).toHaveText('3');
    await expect(item.getByTestId('unread')).toHaveAttribute('aria-label', '3 unread');
    await item.click();
    await expect(me.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(messageWithText(me.page, 'three')).toBeVisible();
    await openList(me.page);
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId('unread')).toHaveCount(0);
    // The sender never had a badge for their own messages.
    await openList(other.page);
    await expect(navItem(other.page, me.name).getByTestId('unread')).toHaveCount(0);
  } finally {
    await closeAll(me, other);
  }
});

test('the unread badge disappears as soon as the chat is opened in the page', async ({ browser }) => {
  const other = await newPerson(browser, 'unlo');
  const me = await newPerson(browser, 'unl');
  try {
    await startDirectChat(other.page, me.name, 'one');
    await openList(me.page);
    const item = navItem(me.page, other.name);
    await expect(item.getByTestId('unread')).toHaveText('1');
    await item.click();
    await expect(messageWithText(me.page, 'one')).toBeVisible();
    await expect(item.getByTestId('unread')).toHaveCount(0);
  } finally {
    await closeAll(me, other);
  }
});

test('a chat read in the page keeps its badge cleared after opening another chat', async ({ browser }) => {
  const a = await newPerson(browser, 'ubka');
  const c = await newPerson(browser, 'ubkc');
  const me = await newPerson(browser, 'ubk');
  try {
    await startDirectChat(a.page, me.name, 'from a');
    await startDirectChat(c.page, me.name, 'from c');
    await openList(me.page);
    const aItem = navItem(me.page, a.name);
    const cItem = navItem(me.page, c.name);
    await expect(aItem.getByTestId('unread')).toHaveText('1');
    await aItem.click();
    await expect(messageWithText(me.page, 'from a')).toBeVisible();
    await expect(aItem.getByTestId('unread')).toHaveCount(0);
    await cItem.click();
    await expect(messageWithText(me.page, 'from c')).toBeVisible();
    await expect(cItem.getByTestId('unread')).toHaveCount(0);
    await expect(aItem.getByTestId('unread')).toHaveCount(0);
  } finally {
    await closeAll(me, a, c);
  }
});

test('a direct chat shows the other person’s card', async ({ browser }) => {
  const other = await newPerson(browser, 'crdo');
  const me = await newPerson(browser, 'crd');
  try {
    const id = await startDirectChat(me.page, other.name, 'hello card');
    const card = me.page.getByTestId('user-card');
    await expect(card).toBeVisible();
    await expect(card.getByRole('heading')).toHaveText(other.name);
    await expect(card.getByTestId('karma')).toHaveText('0 karma');
    await expect(card.getByTestId('cake-day')).toHaveText('Joined today');
    // The other side sees mine, server-rendered on a full load.
    await openThread(other.page, id);
    await expect(other.page.getByTestId('user-card').getByRole('heading')).toHaveText(me.name);
    await expect(other.page.getByTestId('thread-title')).toHaveText(me.name);
  } finally {
    await closeAll(me, other);
  }
});

test('messages within a minute from one sender are grouped; a grouped one shows its time on hover', async ({ browser }) => {
  const other = await newPerson(browser, 'grpo');
  const me = await newPerson(browser, 'grp');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'first of mine');
    const second = await sendMessage(page, 'second of mine');
    const first = messageWithText(page, 'first of mine');

    await expect(first).toHaveClass(/\bmsg-start\b/);
    await expect(first.locator('.msg-sender')).toHaveText(me.name);
    await expect(first.locator('.msg-time')).toBeVisible();
    await expect(first.locator('.avatar')).toHaveCount(1);
    await expect(second).toHaveClass(/\bmsg-grouped\b/);
    await expect(second.locator('.msg-sender')).toHaveCount(0);
    await expect(second.locator('.msg-time')).toHaveCount(0);
    await expect(second.locator('.avatar')).toHaveCount(0);

    const hoverTime = second.locator('.msg-hover-time');
    await expect(hoverTime).toBeHidden();
    await second.hover();
    await expect(hoverTime).toBeVisible();
    const at = await messageAt(second);
    expect(norm(await hoverTime.textContent())).toBe(await clockIn(page, at));
    await page.getByTestId('thread-title').hover();
    await expect(hoverTime).toBeHidden();

    // Someone else's message starts a new group, and so does mine after it.
    await openThread(other.page, id);
    await sendMessage(other.page, 'theirs');
    await openThread(page, id);
    await expect(messageWithText(page, 'theirs')).toHaveClass(/\bmsg-start\b/);
    await expect(messageWithText(page, 'second of mine')).toHaveClass(/\bmsg-grouped\b/);
    const third = await sendMessage(page, 'mine again');
    await expect(third).toHaveClass(/\bmsg-start\b/);
  } finally {
    await closeAll(me, other);
  }
});

test.describe('on a narrow screen', () => {
  test('the list and a chat take the whole width in turn, with a way back', async ({ browser }) => {
    const other = await newPerson(browser, 'nrwo');
    const me = await newPerson(browser, 'nrw', { context: { viewport: { width: 390, height: 800 } } });
    try {
      const page = me.page;
      await startDirectChat(page, other.name, 'small screen');
      await openList(page);
      const nav = page.locator('nav.nav-pane');
      const pane = page.locator('main.thread-pane');
      await expect(nav).toBeVisible();
      await expect(pane).toBeHidden();
      const navBox = await nav.boundingBox();
      expect(navBox?.width).toBeGreaterThan(380);

      await navItem(page, other.name).click();
      await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
      await expect(pane).toBeVisible();
      await expect(nav).toBeHidden();
      await expect(messageWithText(page, 'small screen')).toBeVisible();
      const paneBox = await pane.boundingBox();
      expect(paneBox?.width).toBeGreaterThan(380);

      const back = page.getByRole('link', { name: 'Back to chats' });
      await expect(back).toBeVisible();
      await back.click();
      await expect(page).toHaveURL(/\/chat$/);
      await expect(nav).toBeVisible();
      await expect(pane).toBeHidden();

      // A full load of a chat URL is the thread alone as well.
      await navItem(page, other.name).click();
      await page.reload();
      await expect(pane).toBeVisible();
      await expect(nav).toBeHidden();
    } finally {
      await closeAll(me, other);
    }
  });

  test('on a wide screen both panes show and there is no back link', async ({ browser }) => {
    const other = await newPerson(browser, 'wdeo');
    const me = await newPerson(browser, 'wde', { context: { viewport: { width: 1200, height: 800 } } });
    try {
      await startDirectChat(me.page, other.name, 'wide screen');
      await expect(me.page.locator('nav.nav-pane')).toBeVisible();
      await expect(me.page.locator('main.thread-pane')).toBeVisible();
      await expect(me.page.getByRole('link', { name: 'Back to chats' })).toBeHidden();
    } finally {
      await closeAll(me, other);
    }
  });
});
