import { expect } from '@playwright/test';
import { test } from './support';
import {
  apiSendMany,
  closeAll,
  messageWithText,
  navItem,
  newNoJsPerson,
  newPerson,
  openThread,
  sendMessage,
  startDirectChat,
  startGroup,
} from './chat-support';

test('with JavaScript off, the chat list and a direct chat render in full', async ({ browser }) => {
  const reader = await newNoJsPerson(browser, 'njs');
  const friend = await newPerson(browser, 'njf');
  try {
    const id = await startDirectChat(friend.page, reader.name, 'hello without scripts');
    await sendMessage(friend.page, 'second line from me');

    const page = reader.page;
    // The list is plain HTML: the chat, its preview and unread count.
    await page.goto('/chat');
    const item = navItem(page, friend.name);
    await expect(item).toHaveCount(1);
    await expect(item.locator('.nav-preview')).toHaveText(`${friend.name}: second line from me`);
    await expect(item.getByTestId('unread')).toHaveText('2');
    await expect(item.locator('.nav-time')).toHaveText(/^\d{1,2}:\d{2} [AP]M$/);
    // No script ran: nothing hydrated, no Welcome.
    await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
    await expect(page.getByTestId('welcome')).toHaveCount(0);

    // A plain link opens the thread, rendered by the server.
    await item.click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(page.getByTestId('thread-title')).toHaveText(friend.name);
    await expect(page.getByTestId('user-card').getByRole('heading')).toHaveText(friend.name);
    await expect(page.getByTestId('user-card').getByTestId('karma')).toHaveText('0 karma');
    await expect(page.getByTestId('day-separator')).toHaveText(['Today']);
    await expect(page.getByTestId('message')).toHaveCount(2);
    const first = messageWithText(page, 'hello without scripts');
    await expect(first).toBeVisible();
    await expect(first).toHaveClass(/\bmsg-start\b/);
    await expect(first.locator('.msg-sender')).toHaveText(friend.name);
    await expect(first.locator('.msg-time')).toHaveText(/^\d{1,2}:\d{2} [AP]M$/);
    await expect(messageWithText(page, 'second line from me')).toHaveClass(/\bmsg-grouped\b/);
    // The "New messages" marker before what was unread.
    await expect(page.locator('#unread-marker')).toHaveText('New messages');
    // The list beside it, too.
    await expect(navItem(page, friend.name)).toBeVisible();
    // And the composer, as a form that can be posted.
    const composer = page.getByTestId('composer');
    await expect(composer).toHaveAttribute('method', 'post');
    await expect(composer).toHaveAttribute('action', /\/api\/send_message$/);
    await expect(composer.getByRole('button', { name: 'Send' })).toBeEnabled();
  } finally {
    await closeAll(reader, friend);
  }
});

test('with JavaScript off, a group renders with its system lines', async ({ browser }) => {
  const reader = await newNoJsPerson(browser, 'njg');
  const other = await newPerson(browser, 'njgo');
  const owner = await newPerson(browser, 'njgw');
  try {
    const id = await startGroup(owner.page, [reader.name, other.name]);
    await sendMessage(owner.page, 'hello group');

    const page = reader.page;
    await page.goto(`/chat/${id}`);
    await expect(page.getByTestId('system-line').first()).toContainText(`${owner.name} created the group with`);
    await expect(messageWithText(page, 'hello group')).toBeVisible();
    await expect(page.locator('.members-button')).toHaveText('3 members');
    await expect(page.getByTestId('thread-title')).toContainText(owner.name);
  } finally {
    await closeAll(reader, other, owner);
  }
});

test('with JavaScript off, the composer posts a message and lands back on the thread', async ({ browser }) => {
  const reader = await newNoJsPerson(browser, 'njp');
  const friend = await newPerson(browser, 'njpf');
  try {
    const id = await startDirectChat(friend.page, reader.name, 'write back without scripts');
    const page = reader.page;
    await page.goto(`/chat/${id}`);
    const composer = page.getByTestId('composer');

    await composer.getByRole('textbox', { name: 'Message' }).fill('typed with JS off');
    await composer.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(page.getByTestId('message')).toHaveCount(2);
    const mine = messageWithText(page, 'typed with JS off');
    await expect(mine).toBeVisible();
    await expect(mine.locator('.msg-sender')).toHaveText(reader.name);
    await expect(composer.getByRole('textbox', { name: 'Message' })).toHaveValue('');
    await expect(navItem(page, friend.name).locator('.nav-preview')).toHaveText('You: typed with JS off');

    // A second post works as well (a fresh client id each time).
    await composer.getByRole('textbox', { name: 'Message' }).fill('and once more');
    await composer.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(page.getByTestId('message')).toHaveCount(3);
    await expect(messageWithText(page, 'and once more')).toBeVisible();

    // The friend (with JS) sees both.
    await openThread(friend.page, id);
    await expect(messageWithText(friend.page, 'typed with JS off')).toBeVisible();
    await expect(messageWithText(friend.page, 'and once more')).toBeVisible();
  } finally {
    await closeAll(reader, friend);
  }
});

test('with JavaScript off, older history is a link away, and the newest one more', async ({ browser }) => {
  const reader = await newNoJsPerson(browser, 'njh');
  const friend = await newPerson(browser, 'njk');
  try {
    const id = await startDirectChat(friend.page, reader.name, 'message 0');
    const bodies = Array.from({ length: 70 }, (_, i) => `message ${i + 1}`);
    await apiSendMany(friend.page, id, bodies);

    const page = reader.page;
    await page.goto(`/chat/${id}`);
    // The newest page (it reaches back to the first unread, so read it first).
    await page.goto(`/chat/${id}`);
    await expect(messageWithText(page, 'message 70')).toBeVisible();
    await expect(page.getByTestId('message')).toHaveCount(50);
    await expect(messageWithText(page, 'message 0')).toHaveCount(0);

    // A plain link goes back a page, rendered by the server.
    await page.getByRole('link', { name: 'Load older messages' }).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}\\?before=\\d+$`));
    await expect(messageWithText(page, 'message 0')).toBeVisible();
    await expect(messageWithText(page, 'message 70')).toHaveCount(0);
    // That is the beginning: the card, no link further back.
    await expect(page.getByTestId('user-card')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Load older messages' })).toHaveCount(0);

    await page.getByRole('link', { name: 'Jump to the newest messages' }).click();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(messageWithText(page, 'message 70')).toBeVisible();
  } finally {
    await closeAll(reader, friend);
  }
});
