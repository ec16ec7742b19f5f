import { expect } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openThread,
  ownNavItems,
  pickerRow,
  startChat,
  startDirectChat,
} from './chat-support';
import { uniqueName } from './support';

test('Welcome leads to New Chat, where search is by prefix, any case, and leaves yourself out', async ({ browser }) => {
  // Three names that share a prefix nobody else has.
  const base = uniqueName('w');
  const bob = await newPerson(browser, '', { name: `${base}bob` });
  const cat = await newPerson(browser, '', { name: `${base}cat` });
  const me = await newPerson(browser, '', { name: `${base}me`, keepWelcome: true });
  try {
    const page = me.page;
    const welcome = page.getByTestId('welcome');
    await expect(welcome).toBeVisible();
    await expect(welcome).toHaveAttribute('role', 'dialog');
    await expect(welcome.getByRole('heading')).toHaveText('Welcome to chat!');
    await welcome.getByRole('button', { name: 'Start new chat' }).click();
    await expect(welcome).toHaveCount(0);

    const dialog = page.getByTestId('new-chat');
    await expect(dialog).toBeVisible();
    const search = dialog.getByLabel('Search users');
    const results = dialog.locator('label.user-row');
    const start = dialog.getByRole('button', { name: 'Start chat' });
    await expect(start).toBeDisabled();

    // The shared prefix in upper case finds both others but not me.
    await search.fill(base.toUpperCase());
    await expect(results.locator('.user-name')).toHaveText([bob.name, cat.name].sort());
    await expect(pickerRow(dialog, me.name)).toHaveCount(0);
    // A longer prefix narrows it down.
    await search.fill(`${base}B`);
    await expect(results.locator('.user-name')).toHaveText([bob.name]);
    // Not a prefix: nothing.
    await search.fill('bob');
    await expect(results.filter({ hasText: bob.name })).toHaveCount(0);
    await search.fill(`${base}x`);
    await expect(dialog.getByText('No matching users')).toBeVisible();
    // My own full name: still not offered.
    await search.fill(me.name);
    await expect(dialog.getByText('No matching users')).toBeVisible();

    // Ticking adds a chip and enables "Start chat"; the chip removes it again.
    await search.fill(`${base}b`);
    const box = pickerRow(dialog, bob.name).getByRole('checkbox');
    await box.check();
    const chip = dialog.locator('.picked .chip');
    await expect(chip).toHaveCount(1);
    await expect(chip).toContainText(bob.name);
    await expect(start).toBeEnabled();
    await chip.click();
    await expect(chip).toHaveCount(0);
    await expect(box).not.toBeChecked();
    await expect(start).toBeDisabled();
    await box.check();
    await expect(start).toBeEnabled();
    await start.click();

    // A new direct chat: the Invite dialog.
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
    const chatUrl = page.url();
    const invite = page.getByTestId('invite');
    await expect(invite).toBeVisible();
    await expect(invite.getByRole('heading')).toHaveText(`Say hi to ${bob.name}`);
    const first = invite.getByLabel('First message');
    const send = invite.getByRole('button', { name: 'Send invite' });
    await expect(send).toBeDisabled();
    await first.fill('   ');
    await expect(send).toBeDisabled();
    await first.fill('hi bob, it is me');
    await send.click();
    await expect(invite).toHaveCount(0);
    await expect(messageWithText(page, 'hi bob, it is me')).toBeVisible();
    await expect(page.getByTestId('thread-title')).toHaveText(bob.name);
    await expect(navItem(page, bob.name).locator('.nav-preview')).toHaveText('You: hi bob, it is me');

    // Bob sees the chat with an unread badge and my preview.
    await openList(bob.page);
    await expect(bob.page.getByTestId('welcome')).toHaveCount(0);
    const item = navItem(bob.page, me.name);
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId('unread')).toHaveText('1');
    await expect(item.locator('.nav-preview')).toHaveText(`${me.name}: hi bob, it is me`);
    await item.click();
    await expect(bob.page).toHaveURL(chatUrl);
    await expect(messageWithText(bob.page, 'hi bob, it is me')).toBeVisible();

    // Starting again from Bob's side opens the same chat, without Invite.
    await openList(bob.page);
    expect(await startChat(bob.page, [me.name])).toBe(chatUrl.split('/').pop());
    await expect(bob.page).toHaveURL(chatUrl);
    await expect(messageWithText(bob.page, 'hi bob, it is me')).toBeVisible();
    await expect(bob.page.getByTestId('invite')).toHaveCount(0);

    // And from mine, with a different case in the search.
    await openList(page);
    await page.getByRole('button', { name: 'Create chat' }).click();
    await dialog.getByLabel('Search users').fill(bob.name.toUpperCase());
    await pickerRow(dialog, bob.name).getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(page).toHaveURL(chatUrl);
    await expect(messageWithText(page, 'hi bob, it is me')).toBeVisible();
    await expect(page.getByTestId('invite')).toHaveCount(0);
    // Still one chat with Bob, and Cat got nothing.
    await expect(navItem(page, bob.name)).toHaveCount(1);
    await openList(cat.page);
    await expect(ownNavItems(cat.page)).toHaveCount(0);
  } finally {
    await closeAll(me, bob, cat);
  }
});

test('dialogs close with Esc, the backdrop or ✕, and focus goes back to the opener', async ({ browser }) => {
  const other = await newPerson(browser, 'dlgo');
  const me = await newPerson(browser, 'dlg', { keepWelcome: true });
  try {
    const page = me.page;
    const inside = (testId: string) =>
      page.evaluate((id) => !!document.activeElement?.closest(`[data-testid="${id}"]`), testId);

    // Welcome: focus moves in; Esc closes.
    const welcome = page.getByTestId('welcome');
    await expect(welcome).toBeVisible();
    await expect.poll(() => inside('welcome')).toBe(true);
    await page.keyboard.press('Escape');
    await expect(welcome).toHaveCount(0);

    // Welcome again on the next visit (still no chats); a backdrop click closes it.
    await openList(page);
    await expect(welcome).toBeVisible();
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    await expect(welcome).toHaveCount(0);

    // New Chat from "Create chat": focus inside, Esc closes, focus returns.
    const create = page.getByRole('button', { name: 'Create chat' });
    const dialog = page.getByTestId('new-chat');
    await create.click();
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute('role', 'dialog');
    await expect.poll(() => inside('new-chat')).toBe(true);
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(create).toBeFocused();

    // A click inside the dialog keeps it; one on the backdrop closes it.
    await create.click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('heading', { name: 'New Chat' }).click();
    await dialog.getByLabel('Search users').click();
    await expect(dialog).toBeVisible();
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    await expect(dialog).toHaveCount(0);
    await expect(create).toBeFocused();

    // Esc typed in the search box closes it too.
    await create.click();
    await dialog.getByLabel('Search users').fill('abc');
    await dialog.getByLabel('Search users').press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(create).toBeFocused();

    // From the "Start new chat" button of the empty pane, closed with ✕.
    const startNew = page.locator('.no-thread').getByRole('button', { name: 'Start new chat' });
    await startNew.click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(startNew).toBeFocused();

    // "Cancel" closes as well.
    await create.click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(create).toBeFocused();

  } finally {
    await closeAll(me, other);
  }
});

test('the Invite dialog closes with ✕ or the backdrop without sending anything', async ({ browser }) => {
  const other = await newPerson(browser, 'invo');
  const third = await newPerson(browser, 'invt');
  const me = await newPerson(browser, 'inv');
  try {
    const page = me.page;
    const invite = page.getByTestId('invite');

    const id = await startChat(page, [other.name]);
    await expect(invite).toBeVisible();
    await invite.getByRole('button', { name: 'Close' }).click();
    await expect(invite).toHaveCount(0);
    await expect(page.getByTestId('thread-title')).toHaveText(other.name);
    await expect(page.getByTestId('message')).toHaveCount(0);

    await startChat(page, [third.name]);
    await expect(invite).toBeVisible();
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    await expect(invite).toHaveCount(0);
    await expect(page.getByTestId('thread-title')).toHaveText(third.name);
    await expect(page.getByTestId('message')).toHaveCount(0);

    // Started again before anything was sent: the chat exists, no Invite.
    await openList(page);
    await expect(navItem(page, other.name).locator('.nav-preview')).toHaveText('No messages yet');
    expect(await startChat(page, [other.name])).toBe(id);
    await expect(page.getByTestId('thread-title')).toHaveText(other.name);
    await expect(invite).toHaveCount(0);
  } finally {
    await closeAll(me, other, third);
  }
});

test('the Invite dialog takes focus and Esc closes it', async ({ browser }) => {
  const other = await newPerson(browser, 'invfo');
  const me = await newPerson(browser, 'invf');
  try {
    const page = me.page;
    await startChat(page, [other.name]);
    const invite = page.getByTestId('invite');
    await expect(invite).toBeVisible();
    await expect
      .poll(() => page.evaluate(() => !!document.activeElement?.closest('[data-testid="invite"]')))
      .toBe(true);
    await page.keyboard.press('Escape');
    await expect(invite).toHaveCount(0);
    await expect(page.getByTestId('message')).toHaveCount(0);
  } finally {
    await closeAll(me, other);
  }
});

test('outside UTC, the Welcome dialog keeps focus and Esc closes it', async ({ browser }) => {
  const me = await newPerson(browser, 'wtz', { keepWelcome: true, context: { timezoneId: 'Europe/Berlin' } });
  try {
    const page = me.page;
    const welcome = page.getByTestId('welcome');
    await expect(welcome).toBeVisible();
    // Wait for the zone to be stored (what moves the focus).
    await expect.poll(async () => (await me.context.cookies()).some((c) => c.name === 'tz')).toBe(true);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="welcome"]'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect(welcome).toHaveCount(0);
  } finally {
    await closeAll(me);
  }
});

test('the Welcome dialog is not shown to someone who already has a chat', async ({ browser }) => {
  const other = await newPerson(browser, 'wno');
  const me = await newPerson(browser, 'wme');
  try {
    const id = await startDirectChat(me.page, other.name, 'hello there');
    for (const p of [me.page, other.page]) {
      await openList(p);
      await expect(ownNavItems(p)).toHaveCount(1);
      // Give the effect that would open it a moment to run.
      await p.waitForTimeout(300);
      await expect(p.getByTestId('welcome')).toHaveCount(0);
    }
    // Nor inside a thread.
    await openThread(other.page, id);
    await expect(other.page.getByTestId('welcome')).toHaveCount(0);
  } finally {
    await closeAll(me, other);
  }
});
