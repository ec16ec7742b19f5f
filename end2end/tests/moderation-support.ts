// Helpers for the moderation and blocking specs (F21): making a moderator
// with the real `parley moderator grant` command, the open-report count
// in the navigation, the report dialog, the queue, and proving that
// something arrived live (no reload).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { hydrated } from './support';
import { dismissWelcome, escapeRe, newPerson, openList, sql, type Person } from './chat-support';

/** How long something another browser did may take to show up live. */
export const LIVE = { timeout: 15_000 };

/** The sentences of app/src/domain/safety.rs and domain/preview.rs. */
export const REPORT_FILED = 'Thanks — a moderator will review it.';
export const ALREADY_REPORTED = 'You already reported this message.';
export const UNDELIVERABLE = 'This message could not be delivered.';
export const REMOVED = '[removed by a moderator]';
export const BLOCKED = 'Message from someone you blocked';

/** The end2end folder: playwright.config.ts's paths are relative to it. */
const E2E_DIR = path.resolve(__dirname, '..');

/**
 * Runs the binary under test as an operator would, `parley moderator
 * grant <name>`, on the e2e server's database: the same binary and the
 * same DATABASE_URL as playwright.config.ts gives the server (its BIN and
 * DATA, relative to the end2end folder). Returns what it printed.
 */
export function grantModerator(name: string): string {
  const bin = process.env.PARLEY_E2E_BIN ?? '../target/release/parley';
  const data = process.env.PARLEY_E2E_DATA ?? '../target/e2e';
  return execFileSync(path.resolve(E2E_DIR, bin), ['moderator', 'grant', name], {
    cwd: E2E_DIR,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: `sqlite://${data}/parley.db`, RUST_LOG: 'warn' },
  }).trim();
}

/**
 * A new user made a moderator with the CLI. The role counts from the next
 * page load, so the chat list is loaded again (still without chats, so
 * the Welcome dialog opens once more and is closed); its navigation then
 * has the Moderation link.
 */
export async function newModerator(browser: Browser, prefix: string): Promise<Person> {
  const mod = await newPerson(browser, prefix);
  expect(grantModerator(mod.name)).toBe(`${mod.name} is now a moderator.`);
  await openList(mod.page);
  await dismissWelcome(mod.page);
  await expect(moderationLink(mod.page)).toBeVisible();
  return mod;
}

/** The navigation's Moderation link (moderators only). */
export function moderationLink(page: Page): Locator {
  return page.getByTestId('moderation-link');
}

/** Open reports in all, as the database has them (the navigation's count). */
export function openReportsInDb(): number {
  return Number(sql(`SELECT COUNT(*) FROM reports WHERE status = 'open'`));
}

/**
 * Expects the Moderation link's badge to show the open reports in all,
 * and none when there are none. Other specs file reports at any moment,
 * so it polls until the badge and the database agree.
 */
export async function expectOpenReportsBadge(page: Page): Promise<void> {
  const badge = moderationLink(page).getByTestId('open-reports');
  await expect(async () => {
    const open = openReportsInDb();
    if (open === 0) {
      await expect(badge).toHaveCount(0, { timeout: 500 });
    } else {
      await expect(badge).toHaveText(String(open), { timeout: 500 });
    }
  }).toPass(LIVE);
}

/** Opens the queue from the navigation of the open chat window. */
export async function openQueue(page: Page): Promise<void> {
  await moderationLink(page).click();
  await expect(page).toHaveURL(/\/moderation$/);
  await expect(page.getByRole('heading', { name: 'Moderation queue' })).toBeVisible();
  await hydrated(page);
}

/** The queue's item for one message. */
export function queueItem(page: Page, messageId: string | number): Locator {
  return page.locator(`[data-testid="queue-item"][data-message-id="${messageId}"]`);
}

/** The message with this id in the open thread. */
export function messageById(page: Page, id: string | number): Locator {
  return page.locator(`[data-testid="message"][data-id="${id}"]`);
}

/** The id (data-id) of a message on the page. */
export async function idOf(message: Locator): Promise<string> {
  const id = await message.getAttribute('data-id');
  if (!id) throw new Error('message without data-id');
  return id;
}

/**
 * Reports `message` from its hover toolbar: picks `reason` (the radio's
 * label, e.g. "Spam"), types `detail` if given, submits, and expects the
 * dialog to answer `expected`; then closes it.
 */
export async function report(
  page: Page,
  message: Locator,
  reason: string,
  detail: string | undefined,
  expected: string,
): Promise<void> {
  await message.hover();
  const toolbar = message.getByTestId('toolbar');
  await expect(toolbar).toBeVisible();
  await toolbar.getByRole('button', { name: 'Report' }).click();
  const dialog = page.getByTestId('report-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: reason }).check();
  if (detail !== undefined) await dialog.getByLabel('Details').fill(detail);
  await dialog.getByRole('button', { name: 'Report' }).click();
  await expect(dialog.getByRole('status')).toHaveText(expected);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toHaveCount(0);
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

/** Text that is exactly `text` (trimmed), as a regular expression. */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRe(text)}\\s*$`);
}

/** How many stored messages have exactly this body. */
export function rowsWithBody(body: string): number {
  return Number(sql(`SELECT COUNT(*) FROM messages WHERE body = '${body.replace(/'/g, "''")}'`));
}
