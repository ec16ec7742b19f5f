// Live updates (F15–F19): what one person does shows on the other's open
// page through the /api/live socket, without a reload — messages,
// deletions, reactions, typing, read receipts, unread badges and titles,
// presence — and a message written while the network is down waits, then
// goes exactly once.
import {
  expect,
  type Browser,
  type BrowserContext,
  type Page,
  type WebSocket,
  type WebSocketRoute,
} from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  composer,
  composerReady,
  expectTitle,
  messageWithText,
  navItem,
  newPerson,
  openList,
  openThread,
  q,
  sendMessage,
  sql,
  startDirectChat,
  watchConsole,
  type Person,
} from './chat-support';

// Two people, several full page loads, and waits measured in seconds
// (typing, presence) on a busy two-core machine.
test.describe.configure({ timeout: 90_000 });

/** Time for something to travel over the socket to the other page. */
const LIVE = { timeout: 15_000 };

/** Two people in a direct chat `a` started, both with the thread open. */
async function chatting(
  browser: Browser,
  tag: string,
): Promise<{ a: Person; b: Person; id: string; first: string }> {
  const b = await newPerson(browser, `${tag}b`);
  const a = await newPerson(browser, `${tag}a`);
  const first = `hello from ${a.name}`;
  const id = await startDirectChat(a.page, b.name, first);
  await openThread(b.page, id);
  await expect(messageWithText(b.page, first)).toBeVisible();
  return { a, b, id, first };
}

/**
 * Marks the page's JavaScript world; `expectSamePage` then proves that
 * what happened since came without a reload or a navigation by URL.
 */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __e2eSamePage: boolean }).__e2eSamePage = true;
  });
}

async function expectSamePage(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { __e2eSamePage?: boolean }).__e2eSamePage === true),
    'the page was reloaded',
  ).toBe(true);
}

/**
 * Follows the page's live socket (set up before the page loads): `ready`
 * once the server said the replay is done and what follows is live.
 */
function watchSocket(page: Page): { ready: () => boolean } {
  let current: WebSocket | null = null;
  let ready = false;
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/api/live')) return;
    current = ws;
    ready = false;
    ws.on('framereceived', (f) => {
      if (current === ws && /"t":"(ready|reload)"/.test(String(f.payload))) ready = true;
    });
    ws.on('close', () => {
      if (current === ws) ready = false;
    });
  });
  return { ready: () => ready };
}

async function socketReady(w: { ready: () => boolean }): Promise<void> {
  await expect.poll(w.ready, LIVE).toBe(true);
}

/**
 * A network that can go away for one person (routed through Playwright,
 * set up before the page loads). `cut()` turns the context offline AND
 * drops its live socket the way a broken connection does (close 1006),
 * and refuses new ones until `restore()` — which is what a real outage
 * longer than a blip does, and what `context.setOffline` alone does not
 * (it leaves an open WebSocket open, only stalled). The page's sockets
 * then go through Playwright's WebSocket stand-in, connected to the real
 * server from the page.
 */
async function cuttableNetwork(context: BrowserContext): Promise<{
  cut: () => Promise<void>;
  restore: () => Promise<void>;
  ready: () => boolean;
  urls: string[];
}> {
  let down = false;
  let open: { page: WebSocketRoute; server: WebSocketRoute; ready: boolean }[] = [];
  const urls: string[] = [];
  const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
  await context.routeWebSocket(/\/api\/live/, (ws) => {
    urls.push(ws.url());
    if (down) {
      // No network: the connection fails.
      void quietly(ws.close({ code: 1006, reason: 'offline' }));
      return;
    }
    const server = ws.connectToServer();
    const link = { page: ws, server, ready: false };
    open.push(link);
    server.onMessage((m) => {
      if (/"t":"(ready|reload)"/.test(String(m))) link.ready = true;
      ws.send(m);
    });
    ws.onMessage((m) => server.send(m));
    ws.onClose(() => {
      open = open.filter((l) => l !== link);
      void quietly(server.close());
    });
    server.onClose((code, reason) => {
      open = open.filter((l) => l !== link);
      void quietly(ws.close({ code, reason }));
    });
  });
  return {
    urls,
    ready: () => open.some((l) => l.ready),
    cut: async () => {
      down = true;
      await context.setOffline(true);
      const links = open;
      open = [];
      for (const l of links) {
        await quietly(l.server.close());
        await quietly(l.page.close({ code: 1006, reason: 'network lost' }));
      }
    },
    restore: async () => {
      down = false;
      await context.setOffline(false);
    },
  };
}

/** The bodies of the thread's (confirmed) messages, in order. */
function bodies(page: Page) {
  return page.locator('[data-testid="message"] .msg-body');
}

/** How many stored messages have exactly this body. */
function rowsWithBody(body: string): number {
  return Number(sql(`SELECT COUNT(*) FROM messages WHERE body = ${q(body)}`));
}

/** The browser's complaint about a request made while offline (expected). */
function notOfflineNoise(problems: string[]): string[] {
  return problems.filter((p) => !p.includes('net::ERR_INTERNET_DISCONNECTED'));
}

test('a new message shows at once for the other person, once, with the list preview', async ({ browser }) => {
  // B reads the chat while A writes: A's messages appear in B's open
  // thread in order, each once, and B's list shows the newest as preview.
  const { a, b, first } = await chatting(browser, 'lm');
  try {
    const problemsA = watchConsole(a.page);
    const problemsB = watchConsole(b.page);
    await markPage(b.page);

    await sendMessage(a.page, 'are you getting this?');
    await expect(messageWithText(b.page, 'are you getting this?')).toHaveCount(1, LIVE);
    await sendMessage(a.page, 'and this one');
    await expect(bodies(b.page)).toHaveText([first, 'are you getting this?', 'and this one'], LIVE);
    const item = navItem(b.page, a.name);
    await expect(item.locator('.nav-preview')).toHaveText(`${a.name}: and this one`, LIVE);
    // B is looking at it: no unread badge for the open chat.
    await expect(item.getByTestId('unread')).toHaveCount(0, LIVE);

    // B answers: A sees it the same way.
    await markPage(a.page);
    await sendMessage(b.page, 'loud and clear');
    await expect(messageWithText(a.page, 'loud and clear')).toHaveCount(1, LIVE);
    await expect(navItem(a.page, b.name).locator('.nav-preview')).toHaveText(`${b.name}: loud and clear`, LIVE);
    // Still once each on B's page now that more events went by.
    await expect(bodies(b.page)).toHaveText([first, 'are you getting this?', 'and this one', 'loud and clear']);

    await expectSamePage(a.page);
    await expectSamePage(b.page);
    expect(problemsA).toEqual([]);
    expect(problemsB).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('a deleted message turns into “[message deleted]” on the other page', async ({ browser }) => {
  // A deletes a message B has on screen: B's copy is replaced in place,
  // the text leaves B's page, and B's list preview says so too.
  const { a, b } = await chatting(browser, 'ld');
  try {
    const problemsB = watchConsole(b.page);
    const doomed = await sendMessage(a.page, 'I should not have said that');
    const msgId = await doomed.getAttribute('data-id');
    await expect(messageWithText(b.page, 'I should not have said that')).toHaveCount(1, LIVE);
    await markPage(b.page);

    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    const dialog = a.page.getByTestId('delete-confirm');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toHaveCount(0);

    const theirs = b.page.locator(`[data-testid="message"][data-id="${msgId}"]`);
    await expect(theirs.locator('.msg-deleted')).toHaveText('[message deleted]', LIVE);
    await expect(b.page.getByText('I should not have said that')).toHaveCount(0);
    await expect(navItem(b.page, a.name).locator('.nav-preview')).toHaveText(`${a.name}: [message deleted]`, LIVE);
    await expectSamePage(b.page);
    expect(problemsB).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('a reaction shows at once for the author, and goes when it is taken back', async ({ browser }) => {
  // B reacts 👍 to A's message: A sees "👍 1" (by B) appear, then vanish
  // when B clicks it off.
  const { a, b } = await chatting(browser, 'lr');
  try {
    const problemsA = watchConsole(a.page);
    await sendMessage(a.page, 'thumbs up if you agree');
    const theirs = messageWithText(b.page, 'thumbs up if you agree');
    await expect(theirs).toHaveCount(1, LIVE);
    await markPage(a.page);

    await theirs.hover();
    await theirs.getByRole('button', { name: 'React 👍', exact: true }).click();
    await expect(theirs.getByTestId('reaction')).toHaveText(['👍 1']);

    const mine = messageWithText(a.page, 'thumbs up if you agree');
    const thumbs = mine.getByTestId('reaction');
    await expect(thumbs).toHaveText(['👍 1'], LIVE);
    await expect(thumbs).toHaveAttribute('title', b.name);
    await expect(thumbs).toHaveAttribute('aria-pressed', 'false');

    // Taken back: gone from A's page too.
    await theirs.getByTestId('reaction').click();
    await expect(theirs.getByTestId('reaction')).toHaveCount(0);
    await expect(thumbs).toHaveCount(0, LIVE);
    await expectSamePage(a.page);
    expect(problemsA).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('“is typing…” shows for the other person, fades when typing stops, and clears when the message lands', async ({
  browser,
}) => {
  // Typing reaches only those with the thread open, live: both sockets
  // must be up first (typing is not replayed).
  const b = await newPerson(browser, 'ltb');
  const a = await newPerson(browser, 'lta');
  try {
    const id = await startDirectChat(a.page, b.name, 'type something');
    const socketA = watchSocket(a.page);
    const socketB = watchSocket(b.page);
    await openThread(a.page, id);
    await openThread(b.page, id);
    await socketReady(socketA);
    await socketReady(socketB);
    const problemsB = watchConsole(b.page);
    const typing = b.page.getByTestId('typing');
    await expect(typing).toHaveText('');

    // A types and stops: B sees it, and it fades on its own (~5 s).
    await composer(a.page).pressSequentially('hmm, let me', { delay: 40 });
    await expect(typing).toHaveText(`${a.name} is typing…`, LIVE);
    const shownAt = Date.now();
    await expect(typing).toHaveText('', { timeout: 15_000 });
    const shownFor = Date.now() - shownAt;
    expect(shownFor, 'the typing line faded too soon').toBeGreaterThan(2_500);
    // Your own typing never shows to you.
    await expect(a.page.getByTestId('typing')).toHaveText('');

    // A types again and sends: the line clears with the message, long
    // before it would fade by itself.
    await composer(a.page).pressSequentially(' think', { delay: 40 });
    await expect(typing).toHaveText(`${a.name} is typing…`, LIVE);
    await composer(a.page).press('Enter');
    await expect(messageWithText(b.page, 'hmm, let me think')).toHaveCount(1, LIVE);
    await expect(typing).toHaveText('', { timeout: 2_000 });
    expect(problemsB).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('“Seen” appears for the sender when the other opens the chat, then follows while they read', async ({
  browser,
}) => {
  // A's message is not "Seen" while B is elsewhere; B opening the chat
  // marks it read and A's page says "Seen" under it without a reload;
  // while B keeps the chat open at the bottom, "Seen" moves to A's next
  // message by itself.
  const b = await newPerson(browser, 'lsb');
  const a = await newPerson(browser, 'lsa');
  try {
    const id = await startDirectChat(a.page, b.name, 'knock knock');
    await openList(b.page);
    await sendMessage(a.page, 'anyone home?');
    await expect(navItem(b.page, a.name).getByTestId('unread')).toHaveText('2', LIVE);
    const problemsA = watchConsole(a.page);
    await markPage(a.page);
    const seen = a.page.getByTestId('seen');
    await expect(seen).toHaveCount(0);

    await navItem(b.page, a.name).click();
    await expect(b.page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(messageWithText(b.page, 'anyone home?')).toBeVisible();

    await expect(messageWithText(a.page, 'anyone home?').getByTestId('seen')).toHaveText('Seen', LIVE);
    await expect(seen).toHaveCount(1);

    // B stays on the chat, at the newest message.
    await sendMessage(a.page, 'oh hi');
    await expect(messageWithText(b.page, 'oh hi')).toBeVisible(LIVE);
    await expect(messageWithText(a.page, 'oh hi').getByTestId('seen')).toHaveText('Seen', LIVE);
    await expect(seen).toHaveCount(1);
    await expectSamePage(a.page);
    expect(problemsA).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('unread badge and title count update in another tab, and clear when the chat is read elsewhere', async ({
  browser,
}) => {
  // B has the list open in one tab and works in another. A's messages
  // raise the badge and the "(N)" in the title in both; reading the chat
  // in the second tab clears them in the first, without a reload.
  const b = await newPerson(browser, 'lub');
  const a = await newPerson(browser, 'lua');
  let tab2: Page | undefined;
  try {
    const id = await startDirectChat(a.page, b.name, 'ping');
    // B has read what there is so far.
    await openThread(b.page, id);
    const tab1 = b.page;
    await openList(tab1);
    tab2 = await b.context.newPage();
    await openList(tab2);
    for (const tab of [tab1, tab2]) {
      await expect(navItem(tab, a.name)).toHaveCount(1);
      await expect(navItem(tab, a.name).getByTestId('unread')).toHaveCount(0);
      await expectTitle(tab, 'Chat · Parley', 0);
    }
    const problems1 = watchConsole(tab1);
    await markPage(tab1);

    await sendMessage(a.page, 'are you around?');
    await sendMessage(a.page, 'need a hand with something');
    for (const tab of [tab1, tab2]) {
      const badge = navItem(tab, a.name).getByTestId('unread');
      await expect(badge).toHaveText('2', LIVE);
      await expect(badge).toHaveAttribute('aria-label', '2 unread');
      await expect(navItem(tab, a.name).locator('.nav-preview')).toHaveText(`${a.name}: need a hand with something`);
      await expectTitle(tab, 'Chat · Parley', 2, LIVE);
    }

    // B reads it in the second tab.
    await navItem(tab2, a.name).click();
    await expect(tab2).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(messageWithText(tab2, 'need a hand with something')).toBeVisible();

    await expect(navItem(tab1, a.name).getByTestId('unread')).toHaveCount(0, LIVE);
    await expectTitle(tab1, 'Chat · Parley', 0, LIVE);
    await expectSamePage(tab1);
    expect(problems1).toEqual([]);
    // The second tab's title is the chat's, with nothing left unread.
    await expect(navItem(tab2, a.name).getByTestId('unread')).toHaveCount(0);
    await expectTitle(tab2, `${a.name} · Parley`, 0, LIVE);
  } finally {
    await tab2?.close();
    await closeAll(a, b);
  }
});

test('a message sent during a network blip waits, then goes once when the network is back', async ({ browser }) => {
  // Offline only briefly: the socket may stay open (stalled) all along.
  // The message shows as pending, "Not sent … Waiting for the connection",
  // reaches no one; back online it goes by itself, exactly once.
  const { a, b, first } = await chatting(browser, 'lo');
  try {
    const problemsA = watchConsole(a.page);
    // Unique, as the table is checked for it.
    const tunnel = `written in a tunnel by ${a.name}`;
    await composerReady(a.page);
    await a.context.setOffline(true);
    await composer(a.page).fill(tunnel);
    await composer(a.page).press('Enter');
    await expect(composer(a.page)).toHaveValue('');
    const pending = a.page.getByTestId('pending-message');
    await expect(pending).toHaveCount(1);
    await expect(pending).toContainText(tunnel);
    await expect(pending).toContainText('Not sent — Retry');
    await expect(pending).toContainText('Waiting for the connection.');
    await expect(messageWithText(a.page, tunnel)).toHaveCount(0);
    expect(rowsWithBody(tunnel)).toBe(0);
    await expect(messageWithText(b.page, tunnel)).toHaveCount(0);

    await a.context.setOffline(false);
    await expect(pending).toHaveCount(0, LIVE);
    await expect(messageWithText(a.page, tunnel)).toHaveCount(1);
    await expect(messageWithText(b.page, tunnel)).toHaveCount(1, LIVE);
    // Once more events went by, still once on both pages and in the table.
    await sendMessage(a.page, 'out of the tunnel');
    await expect(bodies(b.page)).toHaveText([first, tunnel, 'out of the tunnel'], LIVE);
    await expect(bodies(a.page)).toHaveText([first, tunnel, 'out of the tunnel']);
    expect(rowsWithBody(tunnel)).toBe(1);
    expect(notOfflineNoise(problemsA)).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

test('messages sent while the connection is lost wait, then go in order, once each, when it is back', async ({
  browser,
}) => {
  // A longer outage: the socket breaks too. Both pending messages wait;
  // when the socket reconnects they are sent in the order written, once.
  const b = await newPerson(browser, 'lcb');
  const a = await newPerson(browser, 'lca');
  try {
    const net = await cuttableNetwork(a.context);
    const first = 'before the outage';
    const id = await startDirectChat(a.page, b.name, first);
    await openThread(a.page, id);
    await openThread(b.page, id);
    await expect.poll(net.ready, LIVE).toBe(true);
    const problemsA = watchConsole(a.page);
    await markPage(a.page);

    // Unique, as the table is checked for them.
    const [one, two] = [`lost one by ${a.name}`, `lost two by ${a.name}`];
    await net.cut();
    const pending = a.page.getByTestId('pending-message');
    for (const text of [one, two]) {
      await composer(a.page).fill(text);
      await composer(a.page).press('Enter');
      await expect(composer(a.page)).toHaveValue('');
    }
    await expect(pending).toHaveCount(2);
    await expect(pending.locator('.msg-body')).toHaveText([one, two]);
    await expect(pending.nth(0)).toContainText('Waiting for the connection.');
    await expect(pending.nth(1)).toContainText('Waiting for the connection.');
    expect(rowsWithBody(one) + rowsWithBody(two)).toBe(0);
    await expect(messageWithText(b.page, one)).toHaveCount(0);

    await net.restore();
    await expect(pending).toHaveCount(0, LIVE);
    await expect(bodies(a.page)).toHaveText([first, one, two]);
    await expect(bodies(b.page)).toHaveText([first, one, two], LIVE);
    await sendMessage(a.page, 'back again');
    await expect(bodies(b.page)).toHaveText([first, one, two, 'back again'], LIVE);
    await expect(bodies(a.page)).toHaveText([first, one, two, 'back again']);
    expect(rowsWithBody(one)).toBe(1);
    expect(rowsWithBody(two)).toBe(1);
    // Stored in the order written.
    const order = sql(`SELECT body FROM messages WHERE body IN (${q(one)}, ${q(two)}) ORDER BY id`).split('\n');
    expect(order).toEqual([one, two]);
    await expectSamePage(a.page);
    expect(notOfflineNoise(problemsA)).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});

for (const outage of ['blip', 'lost connection'] as const) {
  test(`a page that was offline (${outage}) catches up on what it missed, without a reload`, async ({ browser }) => {
    // B's page is offline while A writes three messages; back online, B's
    // open thread gets all three, in order, once each. With a lost
    // connection this is the resume from the last event id.
    const b = await newPerson(browser, `lk${outage === 'blip' ? 'x' : 'y'}b`);
    const a = await newPerson(browser, `lk${outage === 'blip' ? 'x' : 'y'}a`);
    try {
      const net = outage === 'lost connection' ? await cuttableNetwork(b.context) : undefined;
      const watched = watchSocket(b.page);
      const first = 'before B went away';
      const id = await startDirectChat(a.page, b.name, first);
      await openThread(b.page, id);
      await expect.poll(net ? net.ready : watched.ready, LIVE).toBe(true);
      const problemsB = watchConsole(b.page);
      await markPage(b.page);

      if (net) await net.cut();
      else await b.context.setOffline(true);
      const missed = ['missed one', 'missed two', 'missed three'];
      for (const m of missed) await sendMessage(a.page, m);
      // Nothing arrives over a broken connection. (Chromium's offline mode
      // holds an open socket's frames back too, but that is its business.)
      if (net) await expect(bodies(b.page)).toHaveText([first]);

      if (net) await net.restore();
      else await b.context.setOffline(false);
      await expect(bodies(b.page)).toHaveText([first, ...missed], LIVE);
      await expect(navItem(b.page, a.name).locator('.nav-preview')).toHaveText(`${a.name}: missed three`, LIVE);
      // And live again afterwards, still once each.
      await sendMessage(a.page, 'welcome back');
      await expect(bodies(b.page)).toHaveText([first, ...missed, 'welcome back'], LIVE);
      if (net) {
        // It reconnected, resuming after an event (not from scratch).
        expect(net.urls.at(-1)).toMatch(/after=[1-9][0-9]*$/);
      }
      await expectSamePage(b.page);
      expect(notOfflineNoise(problemsB)).toEqual([]);
    } finally {
      await closeAll(a, b);
    }
  });
}

test('the other person’s presence: Online while their page is open, then not', async ({ browser }) => {
  // The direct chat header says "Online" while the other person has the
  // app open, switches away ~4 s after their last tab closes, and back
  // when they return — all without a reload.
  const { a, b, id } = await chatting(browser, 'lp');
  try {
    const problemsB = watchConsole(b.page);
    await markPage(b.page);
    const presence = b.page.getByTestId('presence');
    await expect(presence).toHaveText('Online', LIVE);

    await a.page.close();
    await expect(presence).toHaveText(/^(Active|Offline)/, { timeout: 20_000 });
    await expect(presence).not.toHaveText('Online');

    a.page = await a.context.newPage();
    await openThread(a.page, id);
    await expect(presence).toHaveText('Online', LIVE);
    await expectSamePage(b.page);
    expect(problemsB).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});


test('the sender’s page stays error-free while the new chat reloads under its live updates', async ({ browser }) => {
  // Starting a chat with a first message reloads the open thread while
  // that message's own live event is applied to it (and read-marking is
  // pending): the page must not hit a disposed value. Watched from the
  // first page load, through a live round trip.
  const b = await newPerson(browser, 'lxb');
  const a = await newPerson(browser, 'lxa');
  try {
    const problemsA = watchConsole(a.page);
    const id = await startDirectChat(a.page, b.name, 'first words');
    await openThread(b.page, id);
    await sendMessage(b.page, 'got your first words');
    await expect(messageWithText(a.page, 'got your first words')).toHaveCount(1, LIVE);
    await sendMessage(a.page, 'great');
    await expect(messageWithText(b.page, 'great')).toHaveCount(1, LIVE);
    expect(problemsA).toEqual([]);
  } finally {
    await closeAll(a, b);
  }
});
