// Helpers for the chat-window specs: users in their own browser contexts,
// starting chats through the UI, sending messages, and reaching into the
// SQLite file for what a browser cannot do (back-dating messages).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import { hydrated, register, registerWithoutScript, uniqueName } from './support';

export { watchConsole } from './support';

/** One person: their own browser context (own cookies) and page. */
export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

/**
 * Registers a new user in a fresh context. A new user has no chats, so the
 * Welcome dialog opens; it is closed here unless `keepWelcome` is set.
 */
export async function newPerson(
  browser: Browser,
  prefix: string,
  opts: { keepWelcome?: boolean; context?: BrowserContextOptions; name?: string } = {},
): Promise<Person> {
  const context = await browser.newContext(opts.context);
  const page = await context.newPage();
  const name = opts.name ?? uniqueName(prefix);
  await register(page, name);
  await hydrated(page);
  if (!opts.keepWelcome) {
    await dismissWelcome(page);
  }
  return { name, context, page };
}

/**
 * Registers a new user in a context with JavaScript off (plain form posts).
 * No Welcome dialog: it is opened by script.
 */
export async function newNoJsPerson(browser: Browser, prefix: string): Promise<Person> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await registerWithoutScript(page, name);
  return { name, context, page };
}

/** Several people at once (registered one after another). */
export async function people(browser: Browser, ...prefixes: string[]): Promise<Person[]> {
  const out: Person[] = [];
  for (const p of prefixes) out.push(await newPerson(browser, p));
  return out;
}

/**
 * Closes everyone's browser context, all of them even when one close
 * fails. Called from `finally`, where a throw would replace the spec's own
 * failure: a close error is printed, not thrown, and the spec's result
 * stands.
 */
export async function closeAll(...ps: Person[]): Promise<void> {
  const closed = await Promise.allSettled(ps.map((p) => p.context.close()));
  for (const c of closed) {
    if (c.status === 'rejected') console.warn(`closing a browser context failed: ${c.reason}`);
  }
}

/** Closes the Welcome dialog (shown to someone without chats). */
export async function dismissWelcome(page: Page): Promise<void> {
  const welcome = page.getByTestId('welcome');
  await expect(welcome).toBeVisible();
  await welcome.getByRole('button', { name: 'Close' }).click();
  await expect(welcome).toHaveCount(0);
}

/** The thread id (public uuid) of the open /chat/<id> page. */
export function threadIdOf(page: Page): string {
  const m = /\/chat\/([^/?#]+)/.exec(page.url());
  if (!m) throw new Error(`not on a thread page: ${page.url()}`);
  return m[1];
}

/** The result row of `name` in a user picker (exact name, not a prefix). */
export function pickerRow(scope: Locator, name: string): Locator {
  return scope.locator('label.user-row').filter({
    has: scope.page().locator('.user-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }),
  });
}

/** Searches for each name in an open user picker and ticks it. */
export async function pick(dialog: Locator, names: string[]): Promise<void> {
  for (const n of names) {
    await dialog.getByLabel('Search users').fill(n);
    const box = pickerRow(dialog, n).getByRole('checkbox');
    await box.check();
    await expect(box).toBeChecked();
  }
}

/**
 * Opens New Chat from "Create chat", ticks `names`, and starts the chat.
 * Returns the thread id. The Invite dialog of a new direct chat is left
 * open (see startDirectChat).
 */
export async function startChat(page: Page, names: string[]): Promise<string> {
  const dialog = page.getByTestId('new-chat');
  await openNewChat(page);
  await pick(dialog, names);
  await dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(dialog).toHaveCount(0);
  return threadIdOf(page);
}

/**
 * Clicks "Create chat" until New Chat opens: `hydrated()` marks <body> when
 * the app root hydrates, a moment before the chat window's own (suspended)
 * content has its event handlers.
 */
export async function openNewChat(page: Page): Promise<Locator> {
  const dialog = page.getByTestId('new-chat');
  await expect(async () => {
    if ((await dialog.count()) === 0) {
      await page.getByRole('button', { name: 'Create chat' }).click();
    }
    await expect(dialog).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  return dialog;
}

/**
 * Starts a new direct chat with `other` and sends `first` through the
 * Invite dialog. Returns the thread id.
 */
export async function startDirectChat(page: Page, other: string, first: string): Promise<string> {
  const id = await startChat(page, [other]);
  const invite = page.getByTestId('invite');
  await expect(invite).toBeVisible();
  await invite.getByLabel('First message').fill(first);
  await invite.getByRole('button', { name: 'Send invite' }).click();
  await expect(invite).toHaveCount(0);
  await expect(messageWithText(page, first)).toBeVisible();
  return id;
}

/** Starts a group with `others`; returns the thread id. */
export async function startGroup(page: Page, others: string[]): Promise<string> {
  const id = await startChat(page, others);
  await expect(page.getByTestId('system-line').first()).toContainText('created the group with');
  return id;
}

/**
 * Loads `url` in full, waits for hydration and then until `ready()` holds
 * (what the page's own content needs: `hydrated()` marks <body> when the
 * app root hydrates, a moment before the suspended chat window is live).
 */
export async function gotoLive(page: Page, url: string, ready: () => Promise<boolean>): Promise<void> {
  await page.goto(url);
  await hydrated(page);
  await expect.poll(ready, { timeout: 10_000 }).toBe(true);
}

/** Whether the composer has hydrated (Send is disabled while empty). */
async function composerLive(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const send = document.querySelector('[data-testid="composer"] .send-button');
    const area = document.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea');
    return !!send && send.hasAttribute('disabled') && area?.value === '';
  });
}

/** Opens a thread by a full page load and waits until it is live. */
export async function openThread(page: Page, id: string): Promise<void> {
  await gotoLive(page, `/chat/${id}`, () => composerLive(page));
  await expect(page.getByTestId('thread-title')).toBeVisible();
}

/** Reloads the open thread page and waits until it is live. */
export async function reloadThread(page: Page): Promise<void> {
  await openThread(page, threadIdOf(page));
}

/**
 * Waits until the composer is live: its Send button is enabled in the
 * server HTML (a plain form) and disabled once hydrated with empty text.
 */
export async function composerReady(page: Page): Promise<void> {
  await expect(composer(page)).toHaveValue('');
  await expect(page.getByTestId('composer').getByRole('button', { name: 'Send' })).toBeDisabled();
}

/** Opens the chat list by a full page load and waits for hydration. */
export async function openList(page: Page): Promise<void> {
  await page.goto('/chat');
  await hydrated(page);
}

export function composer(page: Page): Locator {
  return page.getByTestId('composer').getByRole('textbox', { name: 'Message' });
}

/** Types `text` in the composer and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<Locator> {
  await composerReady(page);
  const before = await page.getByTestId('message').count();
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(page.getByTestId('message')).toHaveCount(before + 1);
  const msg = messageWithText(page, text);
  await expect(msg).toBeVisible();
  return msg;
}

/** The message whose body is exactly `text`. */
export function messageWithText(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({
    has: page.locator('.msg-body', { hasText: new RegExp(`^${escapeRe(text)}$`) }),
  });
}

/**
 * The home room (F14): everyone is in it from registration, so it is in
 * every navigation list, and anyone in the suite may talk there at any
 * moment (Otter's questions in rooms.spec.ts).
 */
export const HOME_ROOM = '00000000-0000-4000-8000-00000000a11e';

/** The user's own chats in the navigation list: every entry but the home room. */
export function ownNavItems(page: Page): Locator {
  return page.locator(`[data-testid="nav-item"]:not([href="/chat/${HOME_ROOM}"])`);
}

/** Server-rendered HTML with the home room's navigation entry taken out. */
export function withoutHomeRoom(html: string): string {
  return html.replace(new RegExp(`<a [^>]*href="/chat/${HOME_ROOM}"[\\s\\S]*?</a>`, 'g'), '');
}

/**
 * Expects the window's title to be `title` with `unread` (the unread
 * messages of the user's own chats) in front, as in "(2) Chat · Parley",
 * plus whatever the home room adds: other specs' people may post there
 * at any moment. Polls until the title and the home room's badge agree.
 */
export async function expectTitle(
  page: Page,
  title: string,
  unread: number,
  opts: { timeout?: number } = {},
): Promise<void> {
  const homeBadge = page.locator(`[data-testid="nav-item"][href="/chat/${HOME_ROOM}"] [data-testid="unread"]`);
  await expect(async () => {
    const home = (await homeBadge.count()) > 0 ? Number(await homeBadge.textContent()) : 0;
    const total = unread + home;
    expect(await page.title()).toBe(total > 0 ? `(${Math.min(total, 999)}) ${title}` : title);
  }).toPass({ timeout: opts.timeout ?? 7_000 });
}

/** The navigation item of the chat called `name` (exact). */
export function navItem(page: Page, name: string): Locator {
  return page.getByTestId('nav-item').filter({
    has: page.locator('.nav-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }),
  });
}

/**
 * The instant (epoch ms) of a message: its data-at attribute, or, where
 * the build does not write one, its created_at in the database.
 */
export async function messageAt(message: Locator): Promise<number> {
  const at = await message.getAttribute('data-at');
  if (at) return Number(at);
  const id = await message.getAttribute('data-id');
  if (!id) throw new Error('message without data-id');
  return Date.parse(sql(`SELECT created_at FROM messages WHERE id = ${Number(id)}`));
}

/** A fresh client id for /api/send_message (8–64 chars of [A-Za-z0-9-]). */
export function clientId(): string {
  return `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * Sends many messages through the server function from the page (fast,
 * without the UI). Sequential, so ids follow the order of `bodies`.
 */
export async function apiSendMany(page: Page, thread: string, bodies: string[]): Promise<void> {
  const base = clientId();
  await page.evaluate(
    async ({ thread, bodies, base }) => {
      for (let i = 0; i < bodies.length; i++) {
        const res = await fetch('/api/send_message', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ thread, body: bodies[i], client_id: `${base}-${i}` }),
        });
        if (!res.ok) throw new Error(`send_message ${i}: ${res.status} ${await res.text()}`);
      }
    },
    { thread, bodies, base },
  );
}

/** The SQLite file the server under test uses (see playwright.config.ts). */
export function dbPath(): string {
  const data = process.env.PARLEY_E2E_DATA ?? '../target/e2e';
  return path.resolve(__dirname, '..', data, 'parley.db');
}

/** Runs SQL against the server's database with the sqlite3 CLI. */
export function sql(query: string): string {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', dbPath(), query], {
    encoding: 'utf8',
  }).trim();
}

/** Marks `thread` read for `username` up to message `upTo` (0: nothing read). */
export function setReadUpTo(thread: string, username: string, upTo: number): void {
  sql(`UPDATE thread_members SET last_read_message_id = ${upTo}
       WHERE user_id = (SELECT id FROM users WHERE username = ${q(username)})
         AND thread_id = (SELECT id FROM threads WHERE public_id = ${q(thread)})`);
}

/** Quotes a string for SQL. */
export function q(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the element is (at least partly) inside the viewport. */
export async function inViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
  });
}
