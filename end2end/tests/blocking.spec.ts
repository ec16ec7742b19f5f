// Blocking (F21) as three people see it: A blocks B from their direct
// chat's header; B's next message there is refused with the neutral
// sentence and never reaches A; in a group all three share, A sees B's
// messages collapsed (Show reveals them) while C sees them as ever; A
// unblocks B from /settings and everything is back, live.
import { expect, type Locator, type Page } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  composer,
  composerReady,
  messageWithText,
  navItem,
  newNoJsPerson,
  newPerson,
  openThread,
  sendMessage,
  startDirectChat,
  startGroup,
  watchConsole,
} from './chat-support';
import {
  BLOCKED,
  LIVE,
  UNDELIVERABLE,
  expectSamePage,
  markPage,
  rowsWithBody,
} from './moderation-support';

// Three people, several page loads, waits for live frames on a busy
// two-core machine.
test.describe.configure({ timeout: 120_000 });

/** The collapsed messages ("Message from someone you blocked") on the page. */
function collapsed(page: Page): Locator {
  return page.getByTestId('blocked-message');
}

/** The navigation entry of the group (the one chat that names `member`). */
function groupItem(page: Page, member: string): Locator {
  return page.getByTestId('nav-item').filter({ hasText: member });
}

test('A blocks B in their direct chat: B’s message is refused, collapsed in a shared group, and all is back after Unblock in /settings', async ({
  browser,
}) => {
  const b = await newPerson(browser, 'bkb');
  const c = await newPerson(browser, 'bkc');
  const a = await newPerson(browser, 'bka');
  try {
    const problemsA = watchConsole(a.page);
    const dm = await startDirectChat(a.page, b.name, `hi ${b.name}`);
    const group = await startGroup(a.page, [b.name, c.name]);
    await openThread(b.page, dm);
    await openThread(c.page, group);

    // A blocks B from the direct chat's header.
    await openThread(a.page, dm);
    const toggle = a.page.getByTestId('block-toggle');
    await expect(toggle).toHaveText('Block');
    await toggle.click();
    await expect(toggle).toHaveText('Unblock', LIVE);
    await markPage(a.page);

    // B writes in the direct chat: refused with the neutral sentence.
    const refused = `are you ignoring me, ${a.name}?`;
    await composerReady(b.page);
    await composer(b.page).fill(refused);
    await composer(b.page).press('Enter');
    await expect(composer(b.page)).toHaveValue('');
    const pending = b.page.getByTestId('pending-message').filter({ hasText: refused });
    await expect(pending).toContainText('Not sent', LIVE);
    await expect(pending).toContainText(UNDELIVERABLE);
    await expect(b.page.getByText('blocked')).toHaveCount(0);
    expect(rowsWithBody(refused)).toBe(0);

    // C writes in the group afterwards: once that reaches A's open page,
    // anything B's message could have caused would have arrived before.
    await sendMessage(c.page, 'c is here');
    await expect(groupItem(a.page, c.name).locator('.nav-preview')).toHaveText(`${c.name}: c is here`, LIVE);
    await expect(messageWithText(a.page, refused)).toHaveCount(0);
    await expect(a.page.getByText(refused)).toHaveCount(0);
    await expect(navItem(a.page, b.name).getByTestId('unread')).toHaveCount(0);
    await expectSamePage(a.page);

    // In the group: B's message arrives collapsed on A's open page.
    await openThread(a.page, group);
    await expect(messageWithText(a.page, 'c is here')).toBeVisible();
    await markPage(a.page);
    await openThread(b.page, group);
    const said = `b says hello to the group ${b.name}`;
    await sendMessage(b.page, said);
    // C sees it as ever.
    await expect(messageWithText(c.page, said)).toBeVisible(LIVE);
    await expect(collapsed(c.page)).toHaveCount(0);
    // A sees it collapsed, the text hidden until Show.
    const hidden = collapsed(a.page);
    await expect(hidden).toHaveCount(1, LIVE);
    await expect(hidden.locator('summary')).toContainText(BLOCKED);
    await expect(hidden.locator('summary')).toContainText('Show');
    await expect(hidden.getByText(said)).toBeHidden();
    await expect(groupItem(a.page, c.name).locator('.nav-preview')).toContainText(BLOCKED, LIVE);
    await hidden.locator('summary').click();
    await expect(hidden.getByText(said)).toBeVisible();
    await expectSamePage(a.page);

    // A unblocks B from /settings.
    await a.page.getByTestId('settings-link').click();
    await expect(a.page).toHaveURL(/\/settings$/);
    await expect(a.page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await expect(a.page.getByText('Blocked people')).toBeVisible();
    const entry = a.page.getByTestId('blocked-user');
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(b.name);
    await entry.getByRole('button', { name: 'Unblock' }).click();
    await expect(entry).toHaveCount(0);
    await expect(a.page.getByText('You are not blocking anyone.')).toBeVisible();

    // Back in the group, B's message shows as anyone's.
    await groupItem(a.page, c.name).click();
    await expect(a.page).toHaveURL(new RegExp(`/chat/${group}$`));
    await expect(messageWithText(a.page, said)).toBeVisible();
    await expect(collapsed(a.page)).toHaveCount(0);

    // And B can write to A again, who gets it live.
    await navItem(a.page, b.name).click();
    await expect(a.page).toHaveURL(new RegExp(`/chat/${dm}$`));
    await expect(a.page.getByTestId('block-toggle')).toHaveText('Block');
    await markPage(a.page);
    await openThread(b.page, dm);
    const welcome = `thanks for unblocking, ${a.name}`;
    await sendMessage(b.page, welcome);
    await expect(messageWithText(a.page, welcome)).toBeVisible(LIVE);
    await expect(messageWithText(a.page, refused)).toHaveCount(0);
    await expectSamePage(a.page);
    expect(problemsA).toEqual([]);
  } finally {
    await closeAll(a, b, c);
  }
});

test('Block from a message’s menu collapses the sender’s messages at once; Unblock in the group panel shows them again', async ({
  browser,
}) => {
  const b = await newPerson(browser, 'bmb');
  const c = await newPerson(browser, 'bmc');
  const a = await newPerson(browser, 'bma');
  try {
    const group = await startGroup(a.page, [b.name, c.name]);
    await openThread(b.page, group);
    const said = `loud remark by ${b.name}`;
    await sendMessage(b.page, said);
    const msg = messageWithText(a.page, said);
    await expect(msg).toBeVisible(LIVE);
    await markPage(a.page);

    // Block from the message's hover toolbar: it collapses in place.
    await msg.hover();
    await msg.getByTestId('toolbar').getByRole('button', { name: 'Block', exact: true }).click();
    await expect(collapsed(a.page)).toHaveCount(1, LIVE);
    await expect(collapsed(a.page).locator('summary')).toContainText(BLOCKED);
    await expect(collapsed(a.page).getByText(said)).toBeHidden();

    // The group's panel offers Unblock for B, and no Block for A herself.
    await a.page.locator('.members-button').click();
    const panel = a.page.getByTestId('group-panel');
    await expect(panel).toBeVisible();
    const rows = panel.getByTestId('member-list').locator('li');
    await expect(rows).toHaveCount(3);
    await expect(rows.filter({ hasText: a.name }).getByTestId('member-block')).toHaveCount(0);
    await expect(rows.filter({ hasText: c.name }).getByTestId('member-block')).toHaveText('Block');
    const bButton = rows.filter({ hasText: b.name }).getByTestId('member-block');
    await expect(bButton).toHaveText('Unblock');
    await bButton.click();
    await expect(bButton).toHaveText('Block', LIVE);
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect(panel).toHaveCount(0);

    // Unblocked: the message shows as anyone's, without a reload.
    await expect(collapsed(a.page)).toHaveCount(0, LIVE);
    await expect(messageWithText(a.page, said)).toBeVisible();
    await expectSamePage(a.page);
  } finally {
    await closeAll(a, b, c);
  }
});

test('with JavaScript off, Block and Unblock are plain forms', async ({ browser }) => {
  const b = await newPerson(browser, 'bnb');
  const a = await newNoJsPerson(browser, 'bna');
  try {
    const dm = await startDirectChat(b.page, a.name, `hello ${a.name}`);
    const page = a.page;
    await page.goto(`/chat/${dm}`);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
    const toggle = page.getByTestId('block-toggle');
    await expect(toggle).toHaveText('Block');
    await toggle.click();
    // Back on the chat, which now offers Unblock.
    await expect(page).toHaveURL(new RegExp(`/chat/${dm}$`));
    await expect(toggle).toHaveText('Unblock');

    // B's next message is refused with the neutral sentence.
    const refused = `still there, ${a.name}?`;
    await composerReady(b.page);
    await composer(b.page).fill(refused);
    await composer(b.page).press('Enter');
    const pending = b.page.getByTestId('pending-message').filter({ hasText: refused });
    await expect(pending).toContainText('Not sent', LIVE);
    await expect(pending).toContainText(UNDELIVERABLE);
    expect(rowsWithBody(refused)).toBe(0);

    // /settings lists B; Unblock posts and comes back to it.
    await page.goto('/settings');
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    const entry = page.getByTestId('blocked-user');
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(b.name);
    await entry.getByRole('button', { name: 'Unblock' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(entry).toHaveCount(0);
    await expect(page.getByText('You are not blocking anyone.')).toBeVisible();

    // B can write again.
    const again = `there you are, ${a.name}`;
    await sendMessage(b.page, again);
    await page.goto(`/chat/${dm}`);
    await expect(messageWithText(page, again)).toBeVisible();
    await expect(page.getByTestId('block-toggle')).toHaveText('Block');
  } finally {
    await closeAll(a, b);
  }
});
