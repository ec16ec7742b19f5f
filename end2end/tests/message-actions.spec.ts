import { expect } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openThread,
  reloadThread,
  sendMessage,
  sql,
  startDirectChat,
} from './chat-support';

test('the toolbar appears on hover: reactions, and Delete for my own message', async ({ browser }) => {
  const other = await newPerson(browser, 'tbo');
  const me = await newPerson(browser, 'tb');
  try {
    const page = me.page;
    await startDirectChat(page, other.name, 'hover over me');
    const msg = messageWithText(page, 'hover over me');
    const toolbar = msg.getByTestId('toolbar');
    await page.getByTestId('thread-title').hover();
    await expect(toolbar).toBeHidden();
    await msg.hover();
    await expect(toolbar).toBeVisible();
    for (const e of ['👍', '❤️', '😂', '😮', '😢', '🎉']) {
      await expect(toolbar.getByRole('button', { name: `React ${e}`, exact: true })).toBeVisible();
    }
    await expect(toolbar.getByRole('button', { name: 'Delete' })).toBeVisible();
    await expect(toolbar.getByRole('button', { name: 'Report' })).toHaveCount(0);
    // Moving away hides it again.
    await page.getByTestId('thread-title').hover();
    await expect(toolbar).toBeHidden();
  } finally {
    await closeAll(me, other);
  }
});

test('reactions toggle and count who reacted', async ({ browser }) => {
  const other = await newPerson(browser, 'rxo');
  const me = await newPerson(browser, 'rx');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'react to this');
    const msg = messageWithText(page, 'react to this');
    await expect(msg.getByTestId('reaction')).toHaveCount(0);

    await msg.hover();
    await msg.getByRole('button', { name: 'React 👍', exact: true }).click();
    const thumbs = msg.getByTestId('reaction').filter({ hasText: '👍' });
    await expect(thumbs).toHaveText('👍 1');
    await expect(thumbs).toHaveAttribute('aria-pressed', 'true');
    await expect(thumbs).toHaveAttribute('title', me.name);

    // The other person adds the same one by clicking the count.
    await openThread(other.page, id);
    const theirs = messageWithText(other.page, 'react to this');
    const theirThumbs = theirs.getByTestId('reaction').filter({ hasText: '👍' });
    await expect(theirThumbs).toHaveText('👍 1');
    await expect(theirThumbs).toHaveAttribute('aria-pressed', 'false');
    await theirThumbs.click();
    await expect(theirThumbs).toHaveText('👍 2');
    await expect(theirThumbs).toHaveAttribute('aria-pressed', 'true');
    // And a second emoji from the toolbar.
    await theirs.hover();
    await theirs.getByRole('button', { name: 'React 🎉', exact: true }).click();
    await expect(theirs.getByTestId('reaction')).toHaveText(['👍 2', '🎉 1']);

    await reloadThread(page);
    await expect(thumbs).toHaveText('👍 2');
    await expect(thumbs).toHaveAttribute('aria-pressed', 'true');
    const who = await thumbs.getAttribute('title');
    expect(who?.split(', ').sort()).toEqual([me.name, other.name].sort());
    const party = msg.getByTestId('reaction').filter({ hasText: '🎉' });
    await expect(party).toHaveText('🎉 1');
    await expect(party).toHaveAttribute('aria-pressed', 'false');
    await expect(party).toHaveAttribute('title', other.name);

    // Toggling mine off leaves theirs.
    await thumbs.click();
    await expect(thumbs).toHaveText('👍 1');
    await expect(thumbs).toHaveAttribute('aria-pressed', 'false');
    await expect(thumbs).toHaveAttribute('title', other.name);
    // The toolbar button toggles too: on, then off again.
    await msg.hover();
    await msg.getByRole('button', { name: 'React 👍', exact: true }).click();
    await expect(thumbs).toHaveText('👍 2');
    await msg.hover();
    await msg.getByRole('button', { name: 'React 👍', exact: true }).click();
    await expect(thumbs).toHaveText('👍 1');

    // The other side takes theirs off: the reaction disappears.
    await reloadThread(other.page);
    await theirThumbs.click();
    await expect(theirs.getByTestId('reaction')).toHaveText(['🎉 1']);
    await reloadThread(page);
    await expect(msg.getByTestId('reaction')).toHaveText(['🎉 1']);
  } finally {
    await closeAll(me, other);
  }
});

test('deleting asks first, then leaves “[message deleted]” for everyone', async ({ browser }) => {
  const other = await newPerson(browser, 'delo');
  const me = await newPerson(browser, 'del');
  try {
    const page = me.page;
    const id = await startDirectChat(page, other.name, 'this one stays');
    const doomed = await sendMessage(page, 'this one goes');
    const dialog = page.getByTestId('delete-confirm');

    // Cancel keeps it.
    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute('role', 'dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(doomed).toBeVisible();

    // Esc also cancels.
    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(doomed).toBeVisible();

    // Delete replaces the text in place.
    const msgId = await doomed.getAttribute('data-id');
    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toHaveCount(0);
    const gone = page.locator(`[data-testid="message"][data-id="${msgId}"]`);
    const body = gone.locator('.msg-deleted');
    await expect(body).toHaveText('[message deleted]');
    await expect(page.getByText('this one goes')).toHaveCount(0);
    await expect(messageWithText(page, 'this one stays')).toBeVisible();
    // Light grey (--faint, #a0a6a9) and no more toolbar.
    await expect(body).toHaveCSS('color', 'rgb(160, 166, 169)');
    await expect(gone.getByTestId('toolbar')).toHaveCount(0);
    await expect(navItem(page, other.name).locator('.nav-preview')).toHaveText('You: [message deleted]');

    // Still deleted after a reload, and the text is not in the page at all.
    await reloadThread(page);
    await expect(gone.locator('.msg-deleted')).toHaveText('[message deleted]');
    expect(await page.content()).not.toContain('this one goes');

    // The other person sees the same after loading the chat.
    await openThread(other.page, id);
    await expect(other.page.locator(`[data-testid="message"][data-id="${msgId}"] .msg-deleted`)).toHaveText(
      '[message deleted]',
    );
    expect(await other.page.content()).not.toContain('this one goes');
    await expect(navItem(other.page, me.name).locator('.nav-preview')).toHaveText(`${me.name}: [message deleted]`);
  } finally {
    await closeAll(me, other);
  }
});

test('someone else’s message offers Report, not Delete, and a report is filed', async ({ browser }) => {
  const author = await newPerson(browser, 'rpa');
  const me = await newPerson(browser, 'rp');
  try {
    await startDirectChat(author.page, me.name, 'a rude message');
    await openList(me.page);
    await navItem(me.page, author.name).click();
    const page = me.page;
    await expect(page.getByTestId('thread-title')).toHaveText(author.name);
    const msg = messageWithText(page, 'a rude message');
    await msg.hover();
    const toolbar = msg.getByTestId('toolbar');
    await expect(toolbar).toBeVisible();
    await expect(toolbar.getByRole('button', { name: 'Delete' })).toHaveCount(0);
    await toolbar.getByRole('button', { name: 'Report' }).click();

    const dialog = page.getByTestId('report-dialog');
    await expect(dialog).toBeVisible();
    const reasons = dialog.getByRole('radio');
    await expect(reasons).toHaveCount(4);
    for (const label of ['Spam', 'Harassment or bullying', 'Hateful content', 'Something else']) {
      await expect(dialog.getByRole('radio', { name: label })).toBeVisible();
    }
    const submit = dialog.getByRole('button', { name: 'Report' });
    await expect(submit).toBeDisabled();
    await dialog.getByRole('radio', { name: 'Harassment or bullying' }).check();
    await expect(submit).toBeEnabled();
    await dialog.getByLabel('Details').fill('keeps insulting me');
    await submit.click();
    await expect(dialog.getByRole('status')).toHaveText('Thanks — a moderator will review it.');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toHaveCount(0);
    // The message itself is untouched.
    await expect(msg).toBeVisible();

    // The report reached the moderators' queue.
    const msgId = Number(await msg.getAttribute('data-id'));
    expect(sql(`SELECT reason, status FROM reports WHERE message_id = ${msgId}`)).toBe(
      'harassment: keeps insulting me|open',
    );

    // Cancel files nothing.
    await msg.hover();
    await toolbar.getByRole('button', { name: 'Report' }).click();
    await dialog.getByRole('radio', { name: 'Spam' }).check();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect(sql(`SELECT COUNT(*) FROM reports WHERE message_id = ${msgId}`)).toBe('1');

    // The author sees neither a Report button nor anything changed.
    await reloadThread(author.page);
    const own = messageWithText(author.page, 'a rude message');
    await own.hover();
    await expect(own.getByRole('button', { name: 'Report' })).toHaveCount(0);
    await expect(own.getByRole('button', { name: 'Delete' })).toBeVisible();
  } finally {
    await closeAll(me, author);
  }
});
