// Helpers for the rooms specs (F13, F14): the /rooms page, its "Create
// room" form, a room's share link and its join card.
import { expect, type Locator, type Page } from '@playwright/test';
import { escapeRe, threadIdOf } from './chat-support';
import { hydrated } from './support';

/** The home room everyone is in (model::HOME_ROOM), defined once in chat-support. */
export { HOME_ROOM } from './chat-support';

/**
 * How long something another browser did may take to show up live: the
 * machine is shared and slow, so generous (a deadline, never a sleep).
 */
export const PATIENCE = 15_000;

/** A room name no other test (or earlier run) uses. */
export function uniqueRoom(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** Opens /rooms by a full page load; waits for hydration unless `noJs`. */
export async function openRooms(page: Page, opts: { query?: string; noJs?: boolean } = {}): Promise<void> {
  const url = opts.query === undefined ? '/rooms' : `/rooms?q=${encodeURIComponent(opts.query)}`;
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Rooms', level: 1 })).toBeVisible();
  if (!opts.noJs) {
    await hydrated(page);
    // The list and the forms are suspended content: live a moment later.
    await expect(page.locator('main.rooms-page[data-live="true"]')).toHaveCount(1);
  }
}

/** The "Create room" form of the open /rooms page. */
export function createForm(page: Page): Locator {
  return page.getByTestId('create-room');
}

/**
 * Fills "Create room" on the open /rooms page and submits it; expects the
 * new room to open in the chat window. Returns its id.
 */
export async function createRoom(page: Page, name: string, topic?: string): Promise<string> {
  const form = createForm(page);
  await form.getByLabel('Name').fill(name);
  if (topic !== undefined) await form.getByLabel('Topic (optional)').fill(topic);
  await form.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('thread-title')).toContainText(name);
  return threadIdOf(page);
}

/** The row of the room called exactly `name` in the rooms list. */
export function roomRow(page: Page, name: string): Locator {
  return page.getByTestId('room-row').filter({
    has: page.locator('.room-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }),
  });
}

/** A room's share link (what "Copy link" copies), relative to the site. */
export function shareLink(id: string): string {
  return `/rooms/${id}`;
}

/** The join card of the open share-link page. */
export function joinCard(page: Page): Locator {
  return page.getByTestId('join-card');
}

/** The system line ("bo joined", "bo left") with exactly `text`. */
export function systemLine(page: Page, text: string): Locator {
  return page.getByTestId('system-line').filter({ hasText: new RegExp(`^\\s*${escapeRe(text)}\\s*$`) });
}
