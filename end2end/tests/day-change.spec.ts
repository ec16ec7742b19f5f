import { expect, test } from '@playwright/test';
import { closeAll, messageWithText, navItem, newPerson, openThread, startDirectChat, watchConsole } from './chat-support';

// Labels relative to "now" (day separators, list stamps) follow the
// viewer's clock in an open page: at the viewer's local midnight the page
// asks the server for the new day's labels, without a reload.

test.describe.configure({ timeout: 90_000 });

/**
 * Zones without DST whose midnight is not on a UTC hour (UTC+5:45, +5:30),
 * and one that is (UTC+9): the test uses the first whose real midnight is
 * more than ten minutes away, so the message sent now is on the same local
 * day as the viewer's clock set three minutes before that midnight.
 */
const ZONES = [
  { zone: 'Asia/Kathmandu', offsetMs: (5 * 60 + 45) * 60_000 },
  { zone: 'Asia/Kolkata', offsetMs: (5 * 60 + 30) * 60_000 },
  { zone: 'Asia/Tokyo', offsetMs: 9 * 3_600_000 },
];

/** The next local midnight after `ms` in a zone `offsetMs` from UTC. */
function nextMidnight(ms: number, offsetMs: number): number {
  const local = new Date(ms + offsetMs);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) - offsetMs;
}

test('at the viewer’s midnight, Today becomes Yesterday and the list shows a date, without a reload', async ({ browser }) => {
  const { zone: ZONE, offsetMs } = ZONES.find((z) => nextMidnight(Date.now(), z.offsetMs) - Date.now() > 10 * 60_000) ?? ZONES[0];
  const sender = await newPerson(browser, 'dcs');
  const viewer = await newPerson(browser, 'dcv', { context: { timezoneId: ZONE } });
  try {
    const id = await startDirectChat(sender.page, viewer.name, 'one');

    // The viewer's clock reads three minutes to their midnight (ahead of
    // the server's, the same local day), and the thread stays open.
    const midnight = nextMidnight(Date.now(), offsetMs);
    const page = viewer.page;
    await page.clock.install({ time: midnight - 3 * 60_000 });
    const problems = watchConsole(page);
    await openThread(page, id);
    await expect(page.getByTestId('day-separator')).toHaveText(['Today']);
    const stamp = navItem(page, sender.name).locator('.nav-time');
    await expect(stamp).toHaveText(/\d:\d\d [AP]M/);
    await expect(messageWithText(page, 'one')).toBeVisible();
    // Something only this page load has: gone if the page reloads.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    // Five minutes pass at once (as when a laptop wakes): the page asks for
    // the new day.
    const asked = page.waitForRequest((r) => r.url().endsWith('/api/open_thread') && r.method() === 'POST');
    await page.clock.fastForward('05:00');
    const request = await asked;
    const at = Number(new URLSearchParams(request.postData() ?? '').get('at'));
    expect(at).toBeGreaterThanOrEqual(midnight);

    await expect(page.getByTestId('day-separator')).toHaveText(['Yesterday']);
    const day = new Date(midnight - 60_000).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: ZONE });
    await expect(stamp).toHaveText(day);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(problems.filter((p) => /panicked|hydrat|pageerror/i.test(p))).toEqual([]);
  } finally {
    await closeAll(sender, viewer);
  }
});
