import { expect, type Page } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  composer,
  composerReady,
  HOME_ROOM,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openNewChat,
  openThread,
  ownNavItems,
  pick,
  reloadThread,
  sendMessage,
  startGroup,
} from './chat-support';

test.describe.configure({ timeout: 90_000 });

function systemLine(page: Page, text: string) {
  return page.getByTestId('system-line').filter({ hasText: text });
}

async function openPanel(page: Page) {
  await page.locator('.members-button').click();
  const panel = page.getByTestId('group-panel');
  await expect(panel).toBeVisible();
  return panel;
}

test('three people start a group; a rename shows for everyone', async ({ browser }) => {
  const bob = await newPerson(browser, 'gb');
  const cy = await newPerson(browser, 'gc');
  const ana = await newPerson(browser, 'ga');
  try {
    // Ticking two people makes a group, with no Invite.
    const dialog = await openNewChat(ana.page);
    await pick(dialog, [bob.name, cy.name]);
    await expect(dialog.locator('.picked .chip')).toHaveCount(2);
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(ana.page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
    const id = ana.page.url().split('/').pop()!;
    await expect(ana.page.getByTestId('invite')).toHaveCount(0);

    const created = ana.page.getByTestId('system-line').first();
    await expect(created).toHaveText(
      new RegExp(`^${ana.name} created the group with (${bob.name} and ${cy.name}|${cy.name} and ${bob.name})$`),
    );
    const title = ana.page.getByTestId('thread-title');
    await expect(title).toContainText(bob.name);
    await expect(title).toContainText(cy.name);
    await expect(ana.page.locator('.members-button')).toHaveText('3 members');
    // A group has no person card.
    await expect(ana.page.getByTestId('user-card')).toHaveCount(0);

    // The others find it in their lists, named after the other two.
    await openList(bob.page);
    const bobItem = bob.page.getByTestId('nav-item').filter({ hasText: ana.name }).filter({ hasText: cy.name });
    await expect(bobItem).toHaveCount(1);
    await expect(bobItem.locator('.nav-name')).not.toContainText(bob.name);

    // Rename from the panel.
    const panel = await openPanel(ana.page);
    await expect(panel.getByTestId('member-list').locator('li')).toHaveCount(3);
    const name = `Otters ${Math.random().toString(36).slice(2, 7)}`;
    await panel.getByLabel('Group name').fill(name);
    await panel.getByRole('button', { name: 'Rename' }).click();
    await expect(panel).toHaveCount(0);
    await expect(title).toHaveText(name);
    await expect(systemLine(ana.page, 'named the group')).toHaveText(`${ana.name} named the group “${name}”`);
    await expect(navItem(ana.page, name)).toHaveCount(1);

    // Bob and Cy see the new name (title, list, line) after loading.
    for (const p of [bob.page, cy.page]) {
      await openList(p);
      await expect(navItem(p, name)).toHaveCount(1);
      await openThread(p, id);
      await expect(p.getByTestId('thread-title')).toHaveText(name);
      await expect(systemLine(p, 'named the group')).toHaveText(`${ana.name} named the group “${name}”`);
    }
    // Messages go to everyone.
    await sendMessage(bob.page, 'hi group');
    await openList(cy.page);
    await expect(navItem(cy.page, name).locator('.nav-preview')).toHaveText(`${bob.name}: hi group`);
    await expect(navItem(cy.page, name).getByTestId('unread')).toHaveText('1');
  } finally {
    await closeAll(ana, bob, cy);
  }
});

test('the owner adds someone and removes someone', async ({ browser }) => {
  const bob = await newPerson(browser, 'gab');
  const cy = await newPerson(browser, 'gac');
  const dee = await newPerson(browser, 'gad');
  const ana = await newPerson(browser, 'gaa');
  try {
    const id = await startGroup(ana.page, [bob.name, cy.name]);
    await sendMessage(ana.page, 'before dee');

    // Add Dee: the picker leaves out people already in the group.
    let panel = await openPanel(ana.page);
    const search = panel.getByLabel('Search users');
    await search.fill(bob.name);
    await expect(panel.getByText('No matching users')).toBeVisible();
    const add = panel.getByRole('button', { name: 'Add', exact: true });
    await expect(add).toBeDisabled();
    await pick(panel, [dee.name]);
    await expect(add).toBeEnabled();
    await add.click();
    await expect(panel).toHaveCount(0);
    await expect(systemLine(ana.page, 'added')).toHaveText(`${ana.name} added ${dee.name}`);
    await expect(ana.page.locator('.members-button')).toHaveText('4 members');

    // Dee now has the group and can read and write in it.
    await openList(dee.page);
    const deeItem = dee.page.getByTestId('nav-item').filter({ hasText: ana.name });
    await expect(deeItem).toHaveCount(1);
    await deeItem.click();
    await expect(dee.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(systemLine(dee.page, 'added')).toHaveText(`${ana.name} added ${dee.name}`);
    await sendMessage(dee.page, 'dee says hi');

    // The owner sees Remove for everyone else, not for herself.
    await reloadThread(ana.page);
    panel = await openPanel(ana.page);
    const members = panel.getByTestId('member-list');
    await expect(members.locator('li')).toHaveCount(4);
    await expect(members.locator('li').filter({ hasText: ana.name })).toContainText('owner');
    await expect(panel.getByRole('button', { name: `Remove ${ana.name}` })).toHaveCount(0);
    for (const n of [bob.name, cy.name, dee.name]) {
      await expect(panel.getByRole('button', { name: `Remove ${n}` })).toBeVisible();
    }
    await panel.getByRole('button', { name: `Remove ${cy.name}` }).click();
    await expect(panel).toHaveCount(0);
    await expect(systemLine(ana.page, 'removed')).toHaveText(`${ana.name} removed ${cy.name}`);
    await expect(ana.page.locator('.members-button')).toHaveText('3 members');

    // Cy can no longer open it, and it is gone from Cy's list.
    const res = await cy.page.goto(`/chat/${id}`);
    expect(res?.status()).toBe(404);
    await expect(cy.page.getByTestId('thread-not-found')).toBeVisible();
    await expect(cy.page.getByTestId('thread-not-found')).toContainText('Chat not found');
    await expect(cy.page.getByTestId('message')).toHaveCount(0);
    await openList(cy.page);
    await expect(cy.page.getByTestId('nav-item').filter({ hasText: dee.name })).toHaveCount(0);
    await expect(ownNavItems(cy.page)).toHaveCount(0);

    // A member (not the owner) sees no Remove buttons.
    await openThread(bob.page, id);
    panel = await openPanel(bob.page);
    await expect(panel.getByTestId('member-list').locator('li')).toHaveCount(3);
    await expect(panel.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  } finally {
    await closeAll(ana, bob, cy, dee);
  }
});

test('a member leaves the group', async ({ browser }) => {
  const bob = await newPerson(browser, 'glb');
  const cy = await newPerson(browser, 'glc');
  const ana = await newPerson(browser, 'gla');
  try {
    const id = await startGroup(ana.page, [bob.name, cy.name]);

    await openList(bob.page);
    await bob.page.getByTestId('nav-item').filter({ hasText: cy.name }).click();
    await expect(bob.page).toHaveURL(new RegExp(`/chat/${id}$`));
    const panel = await openPanel(bob.page);
    await panel.getByRole('button', { name: 'Leave group' }).click();
    await expect(bob.page).toHaveURL(/\/chat$/);
    await expect(panel).toHaveCount(0);
    await expect(bob.page.getByTestId('nav-item').filter({ hasText: cy.name })).toHaveCount(0);
    await openList(bob.page);
    await expect(ownNavItems(bob.page)).toHaveCount(0);
    const res = await bob.page.goto(`/chat/${id}`);
    expect(res?.status()).toBe(404);
    await expect(bob.page.getByTestId('thread-not-found')).toBeVisible();

    // The others see who left.
    for (const p of [ana.page, cy.page]) {
      await openThread(p, id);
      await expect(systemLine(p, 'left')).toHaveText(`${bob.name} left`);
      await expect(p.locator('.members-button')).toHaveText('2 members');
      await expect(p.getByTestId('thread-title')).not.toContainText(bob.name);
    }
  } finally {
    await closeAll(ana, bob, cy);
  }
});

test('a half-written message survives someone else renaming the group', async ({ browser }) => {
  const bob = await newPerson(browser, 'gdb');
  const ana = await newPerson(browser, 'gda');
  const cy = await newPerson(browser, 'gdc');
  try {
    const id = await startGroup(ana.page, [bob.name, cy.name]);
    await openThread(bob.page, id);
    await composerReady(bob.page);

    // Bob is typing when Ana renames the group: his pane takes the new
    // name (the thread is fetched again) without losing his text or focus.
    const box = composer(bob.page);
    await box.click();
    await bob.page.keyboard.type('half of a thought');
    const panel = await openPanel(ana.page);
    const name = `Drafts ${Math.random().toString(36).slice(2, 7)}`;
    await panel.getByLabel('Group name').fill(name);
    await panel.getByRole('button', { name: 'Rename' }).click();
    await expect(bob.page.getByTestId('thread-title')).toHaveText(name);
    await expect(systemLine(bob.page, 'named the group')).toHaveCount(1);
    await expect(composer(bob.page)).toHaveValue('half of a thought');
    await expect(composer(bob.page)).toBeFocused();
    // The rebuilt composer knows its text, not only the field: Send is on.
    await expect(bob.page.getByTestId('composer').getByRole('button', { name: 'Send' })).toBeEnabled();

    // He goes on typing where he was and sends it whole.
    await bob.page.keyboard.type(', finished');
    await bob.page.keyboard.press('Enter');
    await expect(composer(bob.page)).toHaveValue('');
    await expect(messageWithText(bob.page, 'half of a thought, finished')).toBeVisible();
    await expect(messageWithText(ana.page, 'half of a thought, finished')).toBeVisible();

    // A draft left in one chat is there again after a visit to another.
    await composer(bob.page).fill('for later');
    await bob.page.locator(`[data-testid="nav-item"][href="/chat/${HOME_ROOM}"]`).click();
    await expect(bob.page).toHaveURL(new RegExp(`/chat/${HOME_ROOM}$`));
    await expect(composer(bob.page)).toHaveValue('');
    await navItem(bob.page, name).click();
    await expect(bob.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(composer(bob.page)).toHaveValue('for later');
  } finally {
    await closeAll(ana, bob, cy);
  }
});
