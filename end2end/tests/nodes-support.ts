// Helpers for nodes.spec.ts: two `parley` processes on one PostgreSQL
// (started by playwright.config.ts when PARLEY_E2E_POSTGRES is set), each
// person's browser context pinned to one of them.
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { dismissWelcome, type Person } from './chat-support';
import { hydrated, register, uniqueName } from './support';

/** Node 1's and node 2's base URLs, or null when the config started none. */
export function nodeUrls(): { one: string; two: string } | null {
  const one = process.env.PARLEY_E2E_NODE1;
  const two = process.env.PARLEY_E2E_NODE2;
  return one && two ? { one, two } : null;
}

/**
 * A person on one node, and every URL their browser asked for: requests
 * (pages, server functions, the bundle) and live sockets.
 */
export interface NodePerson extends Person {
  node: string;
  requests: string[];
  sockets: string[];
}

/**
 * Registers a new person in a context of their own whose base URL is
 * `node`: every page load and server call of theirs (the helpers'
 * relative URLs too) goes to that node. (Cookies are per host, not per
 * port, so it is the separate context that keeps the two sessions apart.)
 * What the context asks for is recorded from its first page on.
 */
export async function personOn(browser: Browser, node: string, prefix: string): Promise<NodePerson> {
  const context = await browser.newContext({ baseURL: node });
  const requests: string[] = [];
  const sockets: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('page', (page) =>
    page.on('websocket', (ws) => {
      if (ws.url().includes('/api/live')) sockets.push(ws.url());
    }),
  );
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await register(page, name);
  await hydrated(page);
  await dismissWelcome(page);
  return { name, context, page, node, requests, sockets };
}

/** The ws:// origin of the live socket on `node` (http://host:port). */
export function socketOrigin(node: string): string {
  return node.replace(/^http/, 'ws');
}

/**
 * Marks the page's JavaScript world; `expectSamePage` then proves that
 * what happened since came without a reload or a navigation by URL.
 */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __e2eSamePage: boolean }).__e2eSamePage = true;
  });
}

export async function expectSamePage(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { __e2eSamePage?: boolean }).__e2eSamePage === true),
    'the page was reloaded',
  ).toBe(true);
}

/** A message by its id (stays the same element once deleted). */
export function messageById(page: Page, id: string): Locator {
  return page.locator(`[data-testid="message"][data-id="${id}"]`);
}

/** The id of a message that is on the page. */
export async function idOf(message: Locator): Promise<string> {
  const id = await message.getAttribute('data-id');
  if (!id) throw new Error('a message without data-id');
  return id;
}

/** Deletes one's own `message` through its toolbar and the confirmation. */
export async function deleteMessage(page: Page, message: Locator): Promise<void> {
  const id = await idOf(message);
  await message.hover();
  await message.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByTestId('delete-confirm');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(messageById(page, id).locator('.msg-deleted')).toHaveText('[message deleted]');
}
