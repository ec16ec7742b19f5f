// Public rooms (F13), the home room and Otter (F14), as two people see
// them in two browser contexts: the /rooms page, a room's share link and
// its join card, joining and leaving live, JavaScript off, and what an id
// that is not a public room shows under /rooms/.
import { expect } from '@playwright/test';
import { PASSWORD, hydrated, test, uniqueName } from './support';
import {
  closeAll,
  composer,
  composerReady,
  messageWithText,
  newNoJsPerson,
  newPerson,
  openList,
  openThread,
  sendMessage,
  startGroup,
  watchConsole,
} from './chat-support';
import {
  HOME_ROOM,
  PATIENCE,
  createForm,
  createRoom,
  joinCard,
  openRooms,
  roomRow,
  shareLink,
  systemLine,
  uniqueRoom,
} from './rooms-support';

test.describe.configure({ timeout: 120_000 });

test('A creates a room, B opens its link, joins, both chat live, and B leaves', async ({ browser }) => {
  const a = await newPerson(browser, 'ra', {
    context: { permissions: ['clipboard-read', 'clipboard-write'] },
  });
  const bContext = await browser.newContext();
  const bPage = await bContext.newPage();
  const bName = uniqueName('rb');
  try {
    // The chat window's navigation leads to the rooms.
    await a.page.getByTestId('rooms-link').click();
    await expect(a.page).toHaveURL(/\/rooms$/);
    await hydrated(a.page);
    await expect(a.page.locator('main.rooms-page[data-live="true"]')).toHaveCount(1);

    const name = uniqueRoom('Otter fans');
    const id = await createRoom(a.page, name, 'All about otters');
    await expect(systemLine(a.page, `${a.name} created the room`)).toBeVisible();
    await expect(a.page.getByTestId('nav-item').filter({ hasText: name })).toHaveCount(1);

    // "Copy link" in the room's header copies the share link.
    const copy = a.page.getByTestId('copy-link');
    await expect(copy).toHaveAttribute('href', shareLink(id));
    await copy.click();
    await expect(a.page.getByTestId('link-copied')).toBeVisible();
    const copied = await a.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(new URL(shareLink(id), a.page.url()).href);
    const link = new URL(copied).pathname;

    // B, logged out, opens the link: log in (here: sign up) and back to it.
    await bPage.goto(link);
    await expect(bPage).toHaveURL(new RegExp(`/login\\?next=${link}$`));
    await hydrated(bPage);
    await bPage.getByRole('link', { name: 'Create an account' }).click();
    await expect(bPage).toHaveURL(new RegExp(`/register\\?next=${link}$`));
    await bPage.getByLabel('Username').fill(bName);
    await bPage.getByLabel('Password').fill(PASSWORD);
    await bPage.getByRole('button', { name: 'Create account' }).click();
    await expect(bPage).toHaveURL(new RegExp(`${link}$`));

    // The join card: name, topic, member count, and nothing of the room.
    const card = joinCard(bPage);
    await expect(card.getByTestId('join-card-name')).toHaveText(`# ${name}`);
    await expect(card.getByTestId('join-card-topic')).toHaveText('All about otters');
    await expect(card.getByTestId('join-card-members')).toHaveText('1 member');
    await expect(bPage.getByTestId('message')).toHaveCount(0);
    await expect(bPage.getByTestId('system-line')).toHaveCount(0);
    await expect(bPage.getByText(a.name)).toHaveCount(0);

    // Join: into the room, and A sees it happen.
    await hydrated(bPage);
    await card.getByRole('button', { name: 'Join' }).click();
    await expect(bPage).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(bPage.getByTestId('thread-title')).toContainText(name);
    await expect(systemLine(a.page, `${bName} joined`)).toBeVisible({ timeout: PATIENCE });

    // A member opening the link goes straight into the room.
    await bPage.goto(link);
    await expect(bPage).toHaveURL(new RegExp(`/chat/${id}$`));

    // Both chat live.
    await openThread(bPage, id);
    await sendMessage(a.page, 'welcome to the room');
    await expect(messageWithText(bPage, 'welcome to the room')).toBeVisible({ timeout: PATIENCE });
    await sendMessage(bPage, 'glad to be here');
    await expect(messageWithText(a.page, 'glad to be here')).toBeVisible({ timeout: PATIENCE });

    // The participants panel shows both, B online (B's page is open).
    await a.page.getByTestId('room-members').click();
    const panel = a.page.getByTestId('room-panel');
    await expect(panel.getByTestId('room-member-count')).toHaveText('2 members');
    const participant = (who: string) =>
      panel.getByTestId('participant').filter({
        has: a.page.locator('.user-name', { hasText: new RegExp(`^${who}$`) }),
      });
    await expect(participant(a.name)).toHaveCount(1);
    await expect(participant(bName).getByTestId('participant-presence')).toHaveClass(/\bonline\b/, {
      timeout: PATIENCE,
    });
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect(panel).toHaveCount(0);

    // B leaves from the room's header: on to /rooms, and A sees it live.
    await bPage.getByTestId('leave-room').click();
    await expect(bPage).toHaveURL(/\/rooms$/);
    await expect(systemLine(a.page, `${bName} left`)).toBeVisible({ timeout: PATIENCE });

    // The room left B's list; its link shows the join card again.
    await openList(bPage);
    await expect(bPage.getByTestId('nav-item').filter({ hasText: name })).toHaveCount(0);
    await bPage.goto(link);
    await expect(joinCard(bPage).getByTestId('join-card-members')).toHaveText('1 member');
  } finally {
    await closeAll(a);
    await bContext.close();
  }
});

test('with JavaScript off, B joins a room from its link and posts', async ({ browser }) => {
  const a = await newPerson(browser, 'rj');
  const b = await newNoJsPerson(browser, 'rjb');
  try {
    await openRooms(a.page);
    const name = uniqueRoom('Quiet room');
    const id = await createRoom(a.page, name);

    // The list, plain HTML: the room, not joined, leading to its card.
    await openRooms(b.page, { noJs: true });
    const row = roomRow(b.page, name);
    await expect(row).toHaveAttribute('href', shareLink(id));
    await expect(row.getByTestId('room-joined')).toHaveCount(0);
    await expect(row).toContainText('1 member');
    await row.click();
    await expect(b.page).toHaveURL(new RegExp(`${shareLink(id)}$`));

    const card = joinCard(b.page);
    await expect(card.getByTestId('join-card-name')).toHaveText(`# ${name}`);
    await card.getByRole('button', { name: 'Join' }).click();
    await expect(b.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(b.page.getByTestId('thread-title')).toContainText(name);
    await expect(systemLine(b.page, `${b.name} joined`)).toBeVisible();

    // The composer's plain form posts and lands back on the room.
    const form = b.page.getByTestId('composer');
    await form.getByRole('textbox', { name: 'Message' }).fill('posted without scripts');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(b.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(messageWithText(b.page, 'posted without scripts')).toBeVisible();

    // A, in the room with scripts, got both live.
    await expect(systemLine(a.page, `${b.name} joined`)).toBeVisible({ timeout: PATIENCE });
    await expect(messageWithText(a.page, 'posted without scripts')).toBeVisible({ timeout: PATIENCE });

    // Now a member: the list marks it and leads into the room.
    await openRooms(b.page, { noJs: true });
    await expect(roomRow(b.page, name)).toHaveAttribute('href', `/chat/${id}`);
    await expect(roomRow(b.page, name).getByTestId('room-joined')).toHaveText('Joined');
    await expect(roomRow(b.page, name)).toContainText('2 members');
  } finally {
    await closeAll(a, b);
  }
});

test('"Hey Otter, what is 12*(3+4)?" in the home room is answered for both users live', async ({ browser }) => {
  const a = await newPerson(browser, 'oa');
  const b = await newPerson(browser, 'ob');
  try {
    await openThread(a.page, HOME_ROOM);
    await openThread(b.page, HOME_ROOM);
    const answers = (page: typeof a.page) =>
      page
        .getByTestId('message')
        .filter({ has: page.locator('.msg-body', { hasText: /\b84\b/ }) })
        .filter({ has: page.locator('.msg-sender', { hasText: /otter/i }) });
    const before = await answers(a.page).count();

    const question = 'Hey Otter, what is 12*(3+4)?';
    await composerReady(a.page);
    await composer(a.page).fill(question);
    await composer(a.page).press('Enter');
    await expect(composer(a.page)).toHaveValue('');
    await expect(messageWithText(a.page, question).last()).toBeVisible();
    await expect(messageWithText(b.page, question).last()).toBeVisible({ timeout: PATIENCE });

    // One answer, from Otter, stating 84, live on both pages.
    await expect(answers(a.page)).toHaveCount(before + 1, { timeout: PATIENCE });
    await expect(answers(b.page)).toHaveCount(before + 1, { timeout: PATIENCE });
  } finally {
    await closeAll(a, b);
  }
});

test("a group's id, an unknown id and a malformed one under /rooms/ are the ordinary not-found page", async ({ browser }) => {
  const a = await newPerson(browser, 'rn');
  const b = await newPerson(browser, 'rnb');
  const c = await newPerson(browser, 'rnc');
  try {
    const group = await startGroup(a.page, [b.name, c.name]);
    await sendMessage(a.page, 'a private word');
    // An outsider, and a member of the group too: neither gets anything.
    const outsider = await newPerson(browser, 'rno');
    try {
      for (const [page, who] of [
        [outsider.page, 'outsider'],
        [b.page, 'member'],
      ] as const) {
        for (const id of [group, '5f0c1b2a-1111-4000-8000-000000000000', 'not-a-room']) {
          const res = await page.goto(`/rooms/${id}`);
          expect(res?.status(), `${who} at /rooms/${id}`).toBe(404);
          await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
          await expect(joinCard(page)).toHaveCount(0);
          await expect(page.getByText('a private word')).toHaveCount(0);
          await expect(page.getByText(a.name)).toHaveCount(0);
        }
      }
      // The very same page as any unknown address.
      const unknown = await outsider.page.goto('/no/such/page');
      expect(unknown?.status()).toBe(404);
      const notFound = await outsider.page.locator('body').innerText();
      await outsider.page.goto(`/rooms/${group}`);
      expect(await outsider.page.locator('body').innerText()).toBe(notFound);
    } finally {
      await closeAll(outsider);
    }
  } finally {
    await closeAll(a, b, c);
  }
});

test('the rooms list filter finds a room by part of its name, with and without scripts', async ({ browser }) => {
  const a = await newPerson(browser, 'rf');
  try {
    const tag = Math.random().toString(36).slice(2, 8);
    const wanted = `Kayak club ${tag}`;
    const other = `Chess corner ${tag}`;
    await openRooms(a.page);
    await createRoom(a.page, wanted, 'Paddles and rivers');
    await openRooms(a.page);
    await createRoom(a.page, other);

    const problems = watchConsole(a.page);
    await openRooms(a.page);
    await expect(roomRow(a.page, wanted)).toHaveCount(1);
    await expect(roomRow(a.page, other)).toHaveCount(1);
    // The creator's rooms are marked and open in the chat window.
    await expect(roomRow(a.page, wanted).getByTestId('room-joined')).toHaveText('Joined');
    await expect(roomRow(a.page, wanted)).toContainText('Paddles and rivers');
    await expect(roomRow(a.page, wanted)).toContainText('1 member');
    await expect(roomRow(a.page, wanted)).toHaveAttribute('href', /^\/chat\/[0-9a-f-]{36}$/);

    // Typing filters (any case, part of the name).
    const box = a.page.getByRole('searchbox', { name: 'Filter rooms' });
    await box.fill(`yAK CLub ${tag}`);
    await expect(a.page).toHaveURL(/\/rooms\?q=/);
    await expect(roomRow(a.page, wanted)).toHaveCount(1);
    await expect(roomRow(a.page, other)).toHaveCount(0);
    await box.fill(`nothing like it ${tag}`);
    await expect(a.page.getByTestId('rooms-empty')).toBeVisible();
    await box.fill('');
    await expect(roomRow(a.page, other)).toHaveCount(1);
    // The page hydrated and filtered without a warning or an error.
    expect(problems).toEqual([]);

    // Without scripts the same box is a GET form.
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await a.context.storageState() });
    try {
      const page = await noJs.newPage();
      await openRooms(page, { noJs: true });
      await page.getByRole('searchbox', { name: 'Filter rooms' }).fill(`corner ${tag}`);
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page).toHaveURL(new RegExp(`/rooms\\?q=corner`));
      await expect(roomRow(page, other)).toHaveCount(1);
      await expect(roomRow(page, wanted)).toHaveCount(0);
      await expect(page.getByRole('searchbox', { name: 'Filter rooms' })).toHaveValue(`corner ${tag}`);
    } finally {
      await noJs.close();
    }
  } finally {
    await closeAll(a);
  }
});

test('creating a room with a blank or an 81-character name shows the error by the name', async ({ browser }) => {
  const a = await newPerson(browser, 'rc');
  try {
    await openRooms(a.page);
    const form = createForm(a.page);
    const error = form.locator('#field-name-error');

    // Blank (spaces pass the browser's `required`; the server trims them).
    await form.getByLabel('Name').fill('   ');
    await form.getByRole('button', { name: 'Create room' }).click();
    await expect(error).toHaveText('Give the room a name.');
    await expect(form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await expect(a.page).toHaveURL(/\/rooms$/);

    await form.getByLabel('Name').fill('x'.repeat(81));
    await form.getByRole('button', { name: 'Create room' }).click();
    await expect(error).toHaveText('A room name is at most 80 characters.');
    await expect(a.page).toHaveURL(/\/rooms$/);

    // 80 is fine.
    const name = `${uniqueRoom('Long')} `.padEnd(80, 'y');
    await createRoom(a.page, name);

    // Without scripts: the plain post comes back with the same message.
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await a.context.storageState() });
    try {
      const page = await noJs.newPage();
      await openRooms(page, { noJs: true });
      await createForm(page).getByLabel('Name').fill('y'.repeat(81));
      await createForm(page).getByRole('button', { name: 'Create room' }).click();
      await expect(page).toHaveURL(/\/rooms/);
      await expect(createForm(page).locator('#field-name-error')).toHaveText('A room name is at most 80 characters.');
    } finally {
      await noJs.close();
    }
  } finally {
    await closeAll(a);
  }
});
