// Two nodes, one database: person A's browser talks only to node 1 and
// person B's only to node 2 (two `parley` processes on one PostgreSQL,
// started by playwright.config.ts when PARLEY_E2E_POSTGRES is set). What
// one does reaches the other's open page live, though no process served
// both: a message, the unread badge, a delete, and a reply the other way.
import { expect } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  messageWithText,
  navItem,
  openList,
  openThread,
  sendMessage,
  startDirectChat,
  watchConsole,
} from './chat-support';
import {
  deleteMessage,
  expectSamePage,
  idOf,
  markPage,
  messageById,
  nodeUrls,
  personOn,
  socketOrigin,
  type NodePerson,
} from './nodes-support';

const nodes = nodeUrls();

test.skip(
  !nodes,
  'needs two nodes on PostgreSQL: set PARLEY_E2E_POSTGRES to a cluster URL (scripts/postgres.sh start DIR prints one)',
);

// Two people, several full page loads, and each event crossing from one
// process to the other through the database, on a busy two-core machine.
test.describe.configure({ timeout: 120_000 });

/** Time for an event to reach the other node and its socket. */
const LIVE = { timeout: 15_000 };

/** Everything `p`'s browser asked for, live sockets included, went to their own node. */
function expectOwnNode(p: NodePerson): void {
  expect(p.requests.length, `${p.name} made no request`).toBeGreaterThan(0);
  expect(p.sockets.length, `${p.name} opened no live socket`).toBeGreaterThan(0);
  expect(p.requests.filter((url) => !url.startsWith(`${p.node}/`)), `${p.name}'s requests elsewhere`).toEqual([]);
  expect(
    p.sockets.filter((url) => !url.startsWith(`${socketOrigin(p.node)}/`)),
    `${p.name}'s sockets elsewhere`,
  ).toEqual([]);
}

test('a message, the unread badge and a delete reach a person on the other node live, and a reply comes back', async ({
  browser,
}) => {
  const { one, two } = nodes!;
  const b = await personOn(browser, two, 'nb');
  const a = await personOn(browser, one, 'na');
  try {
    const problemsA = watchConsole(a.page);
    const problemsB = watchConsole(b.page);
    const first = `hello from ${a.name} on node 1`;
    const id = await startDirectChat(a.page, b.name, first);
    expect(a.page.url().startsWith(`${one}/chat/`)).toBe(true);

    await test.step('a message from node 1 shows on the open chat on node 2', async () => {
      // B, who registered on node 2, opens there the chat made on node 1.
      await openThread(b.page, id);
      expect(b.page.url()).toBe(`${two}/chat/${id}`);
      await expect(messageWithText(b.page, first)).toBeVisible();
      await markPage(b.page);

      const text = 'are you getting this across nodes?';
      await sendMessage(a.page, text);
      await expect(messageWithText(b.page, text)).toHaveCount(1, LIVE);
      await expect(navItem(b.page, a.name).locator('.nav-preview')).toHaveText(`${a.name}: ${text}`, LIVE);
      // B read it where it landed: A (on node 1) sees "Seen" under it, so
      // the read position crossed back too and nothing is left unread.
      await expect(messageWithText(a.page, text).getByTestId('seen')).toHaveText('Seen', LIVE);
      await expectSamePage(b.page);
    });

    await test.step('B elsewhere on node 2: the unread badge and the title count rise live', async () => {
      await openList(b.page);
      const item = navItem(b.page, a.name);
      await expect(item).toHaveCount(1);
      await expect(item.getByTestId('unread')).toHaveCount(0);
      await expect(b.page).toHaveTitle('Chat · Parley');
      await markPage(b.page);

      await sendMessage(a.page, 'ping while you are away');
      const badge = item.getByTestId('unread');
      await expect(badge).toHaveText('1', LIVE);
      await expect(badge).toHaveAttribute('aria-label', '1 unread');
      await expect(item.locator('.nav-preview')).toHaveText(`${a.name}: ping while you are away`, LIVE);
      await expect(b.page).toHaveTitle('(1) Chat · Parley', LIVE);

      // Opening it in the page reads it: the badge goes.
      await item.click();
      await expect(b.page).toHaveURL(`${two}/chat/${id}`);
      await expect(messageWithText(b.page, 'ping while you are away')).toBeVisible();
      await expect(badge).toHaveCount(0);
      await expectSamePage(b.page);
    });

    await test.step('a delete on node 1 turns the message into “[message deleted]” on node 2', async () => {
      const text = 'I should not have said that on node 1';
      const doomed = await sendMessage(a.page, text);
      const msgId = await idOf(doomed);
      await expect(messageWithText(b.page, text)).toHaveCount(1, LIVE);
      await markPage(b.page);

      await deleteMessage(a.page, doomed);

      await expect(messageById(b.page, msgId).locator('.msg-deleted')).toHaveText('[message deleted]', LIVE);
      await expect(b.page.getByText(text)).toHaveCount(0);
      await expect(navItem(b.page, a.name).locator('.nav-preview')).toHaveText(`${a.name}: [message deleted]`, LIVE);
      await expectSamePage(b.page);
    });

    await test.step('a reply from node 2 shows on the open chat on node 1', async () => {
      await markPage(a.page);
      const text = 'loud and clear from node 2';
      await sendMessage(b.page, text);
      await expect(messageWithText(a.page, text)).toHaveCount(1, LIVE);
      await expect(navItem(a.page, b.name).locator('.nav-preview')).toHaveText(`${b.name}: ${text}`, LIVE);
      // A has the chat open: nothing unread for them.
      await expect(navItem(a.page, b.name).getByTestId('unread')).toHaveCount(0);
      await expectSamePage(a.page);
    });

    // Each browser only ever talked to its own node.
    expectOwnNode(a);
    expectOwnNode(b);
    expect(problemsA).toEqual([]);
    expect(problemsB).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});
