import { expect, type BrowserContext, type Page } from '@playwright/test';
import { test } from './support';
import {
  closeAll,
  messageAt,
  navItem,
  newPerson,
  openList,
  openThread,
  q,
  sendMessage,
  sql,
  startDirectChat,
  watchConsole,
  withoutHomeRoom,
} from './chat-support';
import { hydrated } from './support';

test.describe.configure({ timeout: 90_000 });

/** Zones without daylight saving, as far from UTC as there is. */
const ZONES = [
  // UTC+14: local midnight is 10:00 UTC the day before.
  { zone: 'Pacific/Kiritimati', offsetHours: 14, localMinutes: 30 },
  // UTC−11: local 23:30 is 10:30 UTC the day after.
  { zone: 'Pacific/Pago_Pago', offsetHours: -11, localMinutes: 23 * 60 + 30 },
];

/** "3:04 PM" in `timeZone`, as the app writes it. */
function clock(ms: number, timeZone: string): string {
  return new Date(ms).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', timeZone }).replace(/\s/g, ' ');
}

/** "Jun 8", or "Jun 8, 2025" when not in the current year (of that zone). */
function shortDate(ms: number, timeZone: string, now = Date.now()): string {
  const year = (t: number) => new Date(t).toLocaleDateString('en-US', { year: 'numeric', timeZone });
  const md = new Date(ms).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone });
  return year(ms) === year(now) ? md : `${md}, ${year(ms)}`;
}

/** The local calendar date of `ms` in `timeZone` as YYYY-MM-DD. */
function localDay(ms: number, timeZone: string): string {
  return new Date(ms).toLocaleDateString('en-CA', { timeZone });
}

/** The day separator label for `ms` as seen in `timeZone` now. */
function dayLabel(ms: number, timeZone: string, now = Date.now()): string {
  const day = localDay(ms, timeZone);
  const today = localDay(now, timeZone);
  if (day >= today) return 'Today';
  const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return day === yesterday ? 'Yesterday' : shortDate(ms, timeZone, now);
}

/**
 * The UTC instant of local time `minutes` after midnight, `daysAgo` days
 * before today, in a zone with the fixed offset `offsetHours`.
 */
function localInstant(offsetHours: number, daysAgo: number, minutes: number): number {
  const shift = offsetHours * 3_600_000;
  const localNow = new Date(Date.now() + shift);
  const midnight = Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate() - daysAgo);
  return midnight + minutes * 60_000 - shift;
}

/** `ms` written like `sample` (a created_at from the database). */
function dbTime(ms: number, sample: string): string {
  const digits = /\.(\d+)/.exec(sample)?.[1].length ?? 0;
  const iso = new Date(ms).toISOString(); // 2026-06-08T10:30:00.000Z
  const frac = digits ? `.${iso.slice(20, 23).padEnd(digits, '0').slice(0, digits)}` : '';
  const suffix = sample.endsWith('Z') ? 'Z' : sample.slice(-6);
  return `${iso.slice(0, 19)}${frac}${suffix}`;
}

/** The texts of every `<time class="…">` of a class in server HTML. */
function timesInHtml(html: string, cls: string): string[] {
  const re = new RegExp(`<time[^>]*class="${cls}"[^>]*>([^<]*)<`, 'g');
  return [...html.matchAll(re)].map((m) => m[1].replace(/\s/g, ' ').trim());
}

function hydrationProblems(problems: string[]): string[] {
  return problems.filter((p) => /hydrat|mismatch|panicked|pageerror/i.test(p));
}

async function tzCookie(context: BrowserContext): Promise<string | undefined> {
  const c = (await context.cookies()).find((c) => c.name === 'tz');
  return c && decodeURIComponent(c.value);
}

for (const { zone, offsetHours, localMinutes } of ZONES) {
  test.describe(`in ${zone}`, () => {
    test('times are written in the browser’s zone, on the first visit and after a reload', async ({ browser }) => {
      const sender = await newPerson(browser, 'tzs');
      const reader = await newPerson(browser, 'tzr', { context: { timezoneId: zone } });
      try {
        // Registering opened the chat window, which stored the zone.
        await expect.poll(() => tzCookie(reader.context)).toBe(zone);

        const id = await startDirectChat(sender.page, reader.name, 'hello across zones');
        const at = await messageAt(sender.page.getByTestId('message').last());
        const local = clock(at, zone);
        const utc = clock(at, 'UTC');
        expect(local).not.toBe(utc);
        // The sender sees it in their own browser's zone.
        const senderZone = await sender.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
        await expect(navItem(sender.page, reader.name).locator('.nav-time')).toHaveText(clock(at, senderZone));
        // Read it once so later loads have no unread messages.
        await openList(reader.page);
        await navItem(reader.page, sender.name).click();
        await expect(reader.page.locator('.msg-time')).toHaveText(local);

        // A first visit (no tz cookie): the server writes UTC…
        await reader.context.clearCookies({ name: 'tz' });
        const first = await (await reader.context.request.get('/chat')).text();
        // (The home room, which everyone is in, is not this chat.)
        expect(timesInHtml(withoutHomeRoom(first), 'nav-time')).toEqual([utc]);
        // …and the page corrects itself once hydrated, without warnings.
        const problems = watchConsole(reader.page);
        await reader.page.goto('/chat');
        await hydrated(reader.page);
        const navTime = navItem(reader.page, sender.name).locator('.nav-time');
        await expect(navTime).toHaveText(local);
        await expect.poll(() => tzCookie(reader.context)).toBe(zone);
        expect(hydrationProblems(problems)).toEqual([]);

        // The server now writes the zone's time itself.
        const again = await (await reader.context.request.get('/chat')).text();
        expect(timesInHtml(withoutHomeRoom(again), 'nav-time')).toEqual([local]);
        await reader.page.reload();
        await hydrated(reader.page);
        await expect(navTime).toHaveText(local);

        // The same for a thread: first visit without the cookie…
        await reader.context.clearCookies({ name: 'tz' });
        const threadHtml = await (await reader.context.request.get(`/chat/${id}`)).text();
        expect(timesInHtml(threadHtml, 'msg-time')).toEqual([utc]);
        problems.length = 0;
        await openThread(reader.page, id);
        await expect(reader.page.locator('.msg-time')).toHaveText(local);
        await expect(navTime).toHaveText(local);
        await expect.poll(() => tzCookie(reader.context)).toBe(zone);
        expect(hydrationProblems(problems)).toEqual([]);
        // …and server-rendered in the zone after that.
        const threadAgain = await (await reader.context.request.get(`/chat/${id}`)).text();
        expect(timesInHtml(threadAgain, 'msg-time')).toEqual([local]);
        await openThread(reader.page, id);
        await expect(reader.page.locator('.msg-time')).toHaveText(local);
        // The full time in the tooltip is local too.
        const full = new Date(at).toLocaleString('en-US', {
          weekday: 'short', month: 'short', day: 'numeric', year: 'numeric',
          hour: 'numeric', minute: '2-digit', timeZone: zone,
        }).replace(/\s/g, ' ');
        expect((await reader.page.locator('.msg-time').getAttribute('title'))?.replace(/\s/g, ' ')).toBe(full);
        expect(hydrationProblems(problems)).toEqual([]);
      } finally {
        await closeAll(sender, reader);
      }
    });

    test('day separators follow the browser’s calendar: Today, Yesterday, a date, a date with its year', async ({ browser }) => {
      const other = await newPerson(browser, 'tdo');
      const me = await newPerson(browser, 'td', { context: { timezoneId: zone } });
      try {
        const page = me.page;
        const id = await startDirectChat(page, other.name, 'long ago');
        await sendMessage(page, 'three days ago');
        await sendMessage(page, 'yesterday');
        await sendMessage(page, 'just now');
        const ids = await page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
        expect(ids).toHaveLength(4);

        // Back-date the first three to local times whose UTC date differs.
        const when = [
          localInstant(offsetHours, 400, localMinutes),
          localInstant(offsetHours, 3, localMinutes),
          localInstant(offsetHours, 1, localMinutes),
        ];
        for (const t of when) {
          expect(localDay(t, zone)).not.toBe(localDay(t, 'UTC'));
          expect(t).toBeLessThan(Date.now());
        }
        const sample = sql(`SELECT created_at FROM messages WHERE id = ${ids[0]}`);
        when.forEach((t, i) => sql(`UPDATE messages SET created_at = ${q(dbTime(t, sample))} WHERE id = ${ids[i]}`));
        const now = await messageAt(page.getByTestId('message').last());

        const expected = [...when, now].map((t) => dayLabel(t, zone));
        expect(expected.slice(1)).toEqual([shortDate(when[1], zone), 'Yesterday', 'Today']);
        expect(expected[0]).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
        // A server using UTC would write something else.
        expect([...when, now].map((t) => dayLabel(t, 'UTC'))).not.toEqual(expected);

        await openThread(page, id);
        await expect(page.getByTestId('day-separator')).toHaveText(expected);
        // Every message starts its day's group and shows its local time.
        const messages = page.getByTestId('message');
        await expect(messages.locator('.msg-time')).toHaveText([...when, now].map((t) => clock(t, zone)));
        // The first visit (server in UTC, then corrected) ends the same.
        await me.context.clearCookies({ name: 'tz' });
        const problems = watchConsole(page);
        await openThread(page, id);
        await expect(page.getByTestId('day-separator')).toHaveText(expected);
        await expect(messages.locator('.msg-time')).toHaveText([...when, now].map((t) => clock(t, zone)));
        expect(hydrationProblems(problems)).toEqual([]);

        // The list shows a date (never "Yesterday") once the last message
        // is older than today.
        sql(`UPDATE messages SET created_at = ${q(dbTime(when[1], sample))} WHERE id = ${ids[3]}`);
        await openList(page);
        await expect(navItem(page, other.name).locator('.nav-time')).toHaveText(shortDate(when[1], zone));
        sql(`UPDATE messages SET created_at = ${q(dbTime(when[2], sample))} WHERE id = ${ids[3]}`);
        await openList(page);
        await expect(navItem(page, other.name).locator('.nav-time')).toHaveText(shortDate(when[2], zone));
      } finally {
        await closeAll(me, other);
      }
    });
  });
}

// Regression test: the server render once ran the chat window two or three
// times, a run's open_thread failed ("AppState missing from the Leptos
// context") and the browser panicked while hydrating about 1 load in 7.
test('a thread page hydrates cleanly on every load', async ({ browser }) => {
  test.setTimeout(120_000);
  const other = await newPerson(browser, 'hyo');
  const me = await newPerson(browser, 'hy');
  try {
    const id = await startDirectChat(me.page, other.name, 'load me many times');
    const page: Page = me.page;
    const problems = watchConsole(page);
    for (let i = 0; i < 20; i++) {
      await page.goto(`/chat/${id}`);
      await hydrated(page);
      // Live: the composer's Send turns disabled once hydrated.
      await expect(page.getByTestId('composer').getByRole('button', { name: 'Send' })).toBeDisabled();
    }
    expect(problems).toEqual([]);
  } finally {
    await closeAll(me, other);
  }
});
