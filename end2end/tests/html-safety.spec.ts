// User text in the page outside the view's text nodes (the <title>, the
// data embedded for hydration, avatar URLs) stays text, and the
// Content-Security-Policy is enforced: what a browser makes of payloads
// that break out of one HTML context or another.
import { expect, type Page } from '@playwright/test';
import { hydrated, test } from './support';
import {
  closeAll,
  expectTitle,
  messageWithText,
  newPerson,
  openThread,
  q,
  sendMessage,
  sql,
  startDirectChat,
  startGroup,
} from './chat-support';

test.describe.configure({ timeout: 90_000 });

const PAYLOADS = [
  '</title><img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '</script><script>alert(1)</script>',
];

/** Renames a group through the server function, as the panel does. */
async function rename(page: Page, thread: string, title: string): Promise<void> {
  const status = await page.evaluate(
    async ({ thread, title }) => {
      const res = await fetch('/api/rename_group', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ thread, title }),
      });
      return res.status;
    },
    { thread, title },
  );
  expect(status, `renaming to ${title}`).toBe(200);
}

/** Elements that could run script: event-handler attributes, or payload-made tags. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[onerror], [onload], img[src="x"], svg, script:not([nonce])')].map(
      (e) => e.outerHTML.slice(0, 80),
    ),
  );
}

/** Records into `seen` the dialogs a page opens (an alert() that got through). */
function watchDialogs(page: Page, seen: string[] = []): string[] {
  page.on('dialog', async (d) => {
    seen.push(d.message());
    await d.dismiss();
  });
  return seen;
}

test('a group named like markup is its title, as text, on every member’s page', async ({ browser }) => {
  const bob = await newPerson(browser, 'xb');
  const cy = await newPerson(browser, 'xc');
  const ana = await newPerson(browser, 'xa');
  try {
    const id = await startGroup(ana.page, [bob.name, cy.name]);
    const dialogs = watchDialogs(bob.page, watchDialogs(ana.page));
    const headTags = async (page: Page) =>
      page.evaluate(() => [...document.head.children].map((e) => e.tagName.toLowerCase()));
    await rename(ana.page, id, 'Plain name');
    await openThread(bob.page, id);
    const plainHead = await headTags(bob.page);

    for (const payload of PAYLOADS) {
      await rename(ana.page, id, payload);
      for (const page of [ana.page, bob.page]) {
        await openThread(page, id);
        await expectTitle(page, `${payload} · Parley`, 0);
        expect(await page.locator('head > title').count()).toBe(1);
        // As text; "(N) " in front is the home room's unread, if any.
        const head = await page.locator('head > title').textContent();
        expect(head?.replace(/^\(\d+\) /, '')).toBe(`${payload} · Parley`);
        expect(await headTags(page), payload).toEqual(plainHead);
        expect(await injected(page), payload).toEqual([]);
        await expect(page.getByTestId('thread-title')).toHaveText(payload);
      }
    }
    expect(dialogs).toEqual([]);
  } finally {
    await closeAll(ana, bob, cy);
  }
});

test('messages like markup show as text after the page hydrates from its embedded data', async ({ browser }) => {
  const bob = await newPerson(browser, 'xmb');
  const ana = await newPerson(browser, 'xma');
  try {
    const id = await startDirectChat(ana.page, bob.name, 'hello');
    const dialogs = watchDialogs(bob.page);
    for (const payload of PAYLOADS) await sendMessage(ana.page, payload);
    // A full load: the thread's data comes inside a <script> of the page.
    await openThread(bob.page, id);
    await hydrated(bob.page);
    for (const payload of PAYLOADS) {
      await expect(messageWithText(bob.page, payload)).toHaveCount(1);
    }
    expect(await injected(bob.page)).toEqual([]);
    expect(dialogs).toEqual([]);
  } finally {
    await closeAll(ana, bob);
  }
});

test('an avatar URL that is not https or of this site is not loaded', async ({ browser }) => {
  const bob = await newPerson(browser, 'xvb');
  const ana = await newPerson(browser, 'xva');
  try {
    const id = await startDirectChat(ana.page, bob.name, 'hello');
    const header = ana.page.locator('.thread-header');
    for (const url of ['javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', '"><svg onload=alert(1)>']) {
      sql(`UPDATE users SET avatar_url = ${q(url)} WHERE username = ${q(bob.name)}`);
      await openThread(ana.page, id);
      await expect(header.locator('span.avatar')).toHaveCount(1);
      await expect(header.locator('img')).toHaveCount(0);
      expect(await injected(ana.page), url).toEqual([]);
    }
    sql(`UPDATE users SET avatar_url = '/favicon.svg' WHERE username = ${q(bob.name)}`);
    await openThread(ana.page, id);
    await expect(header.locator('img.avatar')).toHaveAttribute('src', '/favicon.svg');
  } finally {
    await closeAll(ana, bob);
  }
});

test('the policy refuses an inline script without the nonce, and the watcher sees it', async ({
  page,
  cspViolations,
}) => {
  await page.goto('/login');
  await hydrated(page);
  const ran = await page.evaluate(() => {
    const w = window as unknown as { injectedRan?: boolean };
    const s = document.createElement('script');
    s.textContent = 'window.injectedRan = true;';
    document.body.append(s);
    return w.injectedRan === true;
  });
  expect(ran).toBe(false);
  // The one refusal reaches the watcher twice, by two roads that race: the
  // console line and the document's event. Wait for both before clearing,
  // or the later one lands after the clear and fails the watcher's check.
  const seen = () => ({
    console: cspViolations.some((v) => v.startsWith('console')),
    event: cspViolations.some((v) => v.startsWith('securitypolicyviolation')),
  });
  await expect.poll(seen).toEqual({ console: true, event: true });
  expect(cspViolations.join('\n')).toContain('script-src');
  // Expected here: clear it, so the watcher's own check at the end passes.
  cspViolations.length = 0;
});
