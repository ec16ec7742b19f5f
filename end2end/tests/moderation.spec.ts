// Moderation (F21) as three people see it in three browser contexts: a
// reporter and an author who share a chat, and a moderator made with the
// real `parley moderator grant` command. A report reaches the moderator's
// open queue live with its count and reason; Remove replaces the text
// with "[removed by a moderator]" on the others' open pages; Dismiss
// leaves it; the resolved view records who decided; everyone else finds
// no queue at all.
import { expect, type Page } from '@playwright/test';
import { hydrated, test } from './support';
import {
  closeAll,
  messageWithText,
  newNoJsPerson,
  newPerson,
  openThread,
  reloadThread,
  sendMessage,
  sql,
  startDirectChat,
  watchConsole,
} from './chat-support';
import { HOME_ROOM, createRoom, joinCard, openRooms, shareLink, uniqueRoom } from './rooms-support';
import {
  ALREADY_REPORTED,
  LIVE,
  REMOVED,
  REPORT_FILED,
  expectOpenReportsBadge,
  expectSamePage,
  grantModerator,
  idOf,
  markPage,
  messageById,
  moderationLink,
  newModerator,
  openQueue,
  queueItem,
  report,
} from './moderation-support';

// Three people, several page loads, waits for live frames on a busy
// two-core machine.
test.describe.configure({ timeout: 120_000 });

/** Joins the room `id` from its share link; the room opens, live. */
async function joinRoom(page: Page, id: string): Promise<void> {
  await page.goto(shareLink(id));
  await hydrated(page);
  await joinCard(page).getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
  await openThread(page, id);
}

test('a report reaches the moderator live; Remove replaces the text for the reporter and the author', async ({
  browser,
}) => {
  const mod = await newModerator(browser, 'mqm');
  const author = await newPerson(browser, 'mqa');
  const reporter = await newPerson(browser, 'mqr');
  try {
    const problems = [author, reporter, mod].map((p) => watchConsole(p.page));
    // The author's room, with messages around the one reported.
    await openRooms(author.page);
    const room = uniqueRoom('Watch talk');
    const id = await createRoom(author.page, room);
    await joinRoom(reporter.page, id);
    const bad = `cheap watches at ${author.name}.example`;
    await sendMessage(author.page, 'context before one');
    await sendMessage(author.page, 'context before two');
    const mine = await sendMessage(author.page, bad);
    const msgId = await idOf(mine);
    await sendMessage(author.page, 'context after one');
    const theirs = messageById(reporter.page, msgId);
    await expect(theirs.locator('.msg-body')).toHaveText(bad, LIVE);
    await expect(messageWithText(reporter.page, 'context after one')).toBeVisible(LIVE);

    // The moderator has the queue open, without this message in it.
    await openQueue(mod.page);
    await markPage(mod.page);
    const item = queueItem(mod.page, msgId);
    await expect(item).toHaveCount(0);
    await expectOpenReportsBadge(mod.page);

    // The reporter reports it: Spam, with a detail.
    await report(reporter.page, theirs, 'Spam', 'selling watches everywhere', REPORT_FILED);
    // Again: nothing new is filed, and the dialog says so.
    await report(reporter.page, theirs, 'Something else', undefined, ALREADY_REPORTED);
    expect(sql(`SELECT COUNT(*) FROM reports WHERE message_id = ${msgId}`)).toBe('1');

    // The queue shows it live: text, count, reason, author, place, context.
    await expect(item).toHaveCount(1, LIVE);
    await expect(item.getByTestId('queue-text')).toHaveText(bad);
    await expect(item.getByTestId('report-count')).toHaveText('1 report');
    const reasons = item.getByTestId('report-reason');
    await expect(reasons).toHaveCount(1);
    await expect(reasons).toContainText(/spam/i);
    await expect(reasons).toContainText('selling watches everywhere');
    await expect(item).toContainText(author.name);
    await expect(item).toContainText(`in room ${room}`);
    const context = item.getByTestId('context-message');
    for (const text of ['context before one', 'context before two', 'context after one']) {
      await expect(context.filter({ hasText: text })).toHaveCount(1);
    }
    // Reporters stay anonymous.
    await expect(item).not.toContainText(reporter.name);
    // The navigation counts it (with whatever other specs reported).
    await expect(moderationLink(mod.page).getByTestId('open-reports')).toBeVisible(LIVE);
    await expectOpenReportsBadge(mod.page);
    await expectSamePage(mod.page);

    // Remove: gone from the queue, and replaced on both open pages.
    await markPage(author.page);
    await markPage(reporter.page);
    await item.getByRole('button', { name: 'Remove' }).click();
    await expect(item).toHaveCount(0, LIVE);
    for (const p of [reporter.page, author.page]) {
      const removed = messageById(p, msgId).locator('p.msg-body.msg-deleted');
      await expect(removed).toHaveText(REMOVED, LIVE);
      await expect(p.getByText(bad)).toHaveCount(0);
      // The messages around it are untouched.
      await expect(messageWithText(p, 'context before two')).toBeVisible();
      await expectSamePage(p);
    }
    await expectOpenReportsBadge(mod.page);

    // The resolved view records the decision and who made it.
    await mod.page.getByTestId('resolved-link').click();
    await expect(mod.page).toHaveURL(/\/moderation\/resolved$/);
    const decision = mod.page.getByTestId('decision').filter({ hasText: room });
    await expect(decision).toHaveCount(1);
    await expect(decision).toContainText('Removed');
    await expect(decision).toContainText(mod.name);

    // Loaded again, the text stays away for the reporter.
    await reloadThread(reporter.page);
    await expect(messageById(reporter.page, msgId).locator('p.msg-body.msg-deleted')).toHaveText(REMOVED);
    await expect(reporter.page.getByText(bad)).toHaveCount(0);
    for (const p of problems) expect(p).toEqual([]);
  } finally {
    await closeAll(reporter, author, mod);
  }
});

test('Dismiss closes the report and keeps the message for everyone', async ({ browser }) => {
  const mod = await newModerator(browser, 'mdm');
  const author = await newPerson(browser, 'mda');
  const reporter = await newPerson(browser, 'mdr');
  try {
    const text = `a blunt opinion from ${author.name}`;
    const id = await startDirectChat(author.page, reporter.name, text);
    const msgId = await idOf(messageWithText(author.page, text));
    await openThread(reporter.page, id);
    const theirs = messageById(reporter.page, msgId);
    await expect(theirs.locator('.msg-body')).toHaveText(text);

    // The moderator was reading a chat (the home room everyone is in)
    // and goes to the queue from the navigation.
    await openThread(mod.page, HOME_ROOM);
    await openQueue(mod.page);
    await markPage(mod.page);
    await report(reporter.page, theirs, 'Harassment or bullying', undefined, REPORT_FILED);

    const item = queueItem(mod.page, msgId);
    await expect(item).toHaveCount(1, LIVE);
    await expect(item.getByTestId('queue-text')).toHaveText(text);
    await expect(item.getByTestId('report-count')).toHaveText('1 report');
    await expect(item.getByTestId('report-reason')).toContainText(/harassment/i);
    // A direct chat is named after its two people, in either order.
    await expect(item).toContainText(
      new RegExp(`in direct chat (${author.name} and ${reporter.name}|${reporter.name} and ${author.name})`),
    );
    await expectSamePage(mod.page);

    await markPage(author.page);
    await markPage(reporter.page);
    await item.getByRole('button', { name: 'Dismiss' }).click();
    await expect(item).toHaveCount(0, LIVE);
    await expectOpenReportsBadge(mod.page);

    // Something later reaches both pages; the dismissed message is as it was.
    await sendMessage(author.page, 'after the dismissal');
    await expect(messageWithText(reporter.page, 'after the dismissal')).toBeVisible(LIVE);
    for (const p of [reporter.page, author.page]) {
      await expect(messageById(p, msgId).locator('.msg-body')).toHaveText(text);
      await expect(messageById(p, msgId).locator('.msg-deleted')).toHaveCount(0);
      await expectSamePage(p);
    }
    // And so it is from the server.
    await reloadThread(reporter.page);
    await expect(messageById(reporter.page, msgId).locator('.msg-body')).toHaveText(text);

    await mod.page.getByTestId('resolved-link').click();
    await expect(mod.page).toHaveURL(/\/moderation\/resolved$/);
    const decision = mod.page.getByTestId('decision').filter({ hasText: text });
    await expect(decision).toHaveCount(1);
    await expect(decision).toContainText('Dismissed');
    await expect(decision).toContainText(mod.name);
  } finally {
    await closeAll(reporter, author, mod);
  }
});

test('no one but a moderator finds the queue', async ({ browser }) => {
  const user = await newPerson(browser, 'mnu');
  const anon = await browser.newContext();
  try {
    // A user's navigation has no Moderation link.
    await expect(user.page.getByTestId('settings-link')).toBeVisible();
    await expect(moderationLink(user.page)).toHaveCount(0);
    const anonPage = await anon.newPage();
    for (const [who, page] of [
      ['a user', user.page],
      ['a visitor', anonPage],
    ] as const) {
      for (const path of ['/moderation', '/moderation/resolved']) {
        const res = await page.goto(path);
        expect(res?.status(), `${who} at ${path}`).toBe(404);
        await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
        await expect(page.getByRole('heading', { name: 'Moderation queue' })).toHaveCount(0);
        await expect(page.getByTestId('queue-item')).toHaveCount(0);
      }
      // The server function behind the queue answers not-found too.
      await hydrated(page);
      const status = await page.evaluate(async () => {
        const res = await fetch('/api/moderation_queue', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '',
        });
        return res.status;
      });
      expect(status, `${who} calling moderation_queue`).toBe(404);
    }
  } finally {
    await anon.close();
    await closeAll(user);
  }
});

test('with JavaScript off, a moderator removes a reported message with the plain form', async ({ browser }) => {
  const author = await newPerson(browser, 'mna');
  const reporter = await newPerson(browser, 'mnr');
  const mod = await newNoJsPerson(browser, 'mnm');
  try {
    expect(grantModerator(mod.name)).toBe(`${mod.name} is now a moderator.`);
    const text = `rude words from ${author.name}`;
    const id = await startDirectChat(author.page, reporter.name, text);
    const msgId = await idOf(messageWithText(author.page, text));
    await openThread(reporter.page, id);
    await report(reporter.page, messageById(reporter.page, msgId), 'Spam', undefined, REPORT_FILED);

    // The queue is plain HTML, with the count in the navigation.
    const page = mod.page;
    await page.goto('/moderation');
    await expect(page.getByRole('heading', { name: 'Moderation queue' })).toBeVisible();
    await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
    await expect(moderationLink(page).getByTestId('open-reports')).toHaveText(/^[1-9]\d*$/);
    const item = queueItem(page, msgId);
    await expect(item.getByTestId('queue-text')).toHaveText(text);
    await expect(item.getByTestId('report-count')).toHaveText('1 report');

    // Remove posts the form; the server sends the browser back to the queue.
    await markPage(reporter.page);
    await item.getByRole('button', { name: 'Remove' }).click();
    await expect(page).toHaveURL(/\/moderation$/);
    await expect(page.getByRole('heading', { name: 'Moderation queue' })).toBeVisible();
    await expect(item).toHaveCount(0);

    // The reporter, with scripts, sees it go live.
    await expect(messageById(reporter.page, msgId).locator('p.msg-body.msg-deleted')).toHaveText(REMOVED, LIVE);
    await expectSamePage(reporter.page);
  } finally {
    await closeAll(mod, reporter, author);
  }
});
