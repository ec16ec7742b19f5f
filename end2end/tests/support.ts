import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

/** A username no other test (or earlier run) uses: 3–20 chars of a-z0-9_. */
export function uniqueName(prefix = 'u'): string {
  const rand = Math.random().toString(36).slice(2, 8);
  const time = Date.now().toString(36).slice(-5);
  return `${prefix}_${time}${rand}`.slice(0, 20);
}

/** Waits until the wasm has hydrated the page (the app marks <body>). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

export async function register(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId('current-user')).toHaveText(username);
}

export async function logIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, username, password);
}

/** Fills and submits the login form of the page that is open now. */
export async function submitLogin(page: Page, username: string, password = PASSWORD): Promise<void> {
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/**
 * Logs out from the chat window of a user with no chats yet: the Welcome
 * dialog (F9) opens after hydration and covers the window, so it is closed
 * first, as a user would.
 */
export async function logOut(page: Page): Promise<void> {
  const welcome = page.getByTestId('welcome');
  await expect(welcome).toBeVisible();
  await welcome.getByRole('button', { name: 'Close' }).click();
  await expect(welcome).toHaveCount(0);
  await page.getByRole('button', { name: 'Log out' }).click();
}

/** Whether a console message is the browser refusing something for the CSP. */
export function isCspViolation(text: string): boolean {
  return /Content[- ]Security[- ]Policy/i.test(text);
}

/**
 * Records every Content-Security-Policy violation in `context`, its pages
 * and their documents, into `found`: the console line Chromium writes for
 * each refusal, and the `securitypolicyviolation` event the document gets
 * (through an init script, in contexts with JavaScript on). Registers
 * synchronously what must not miss the first page (the console listener);
 * the init script is queued before any page of a new context can open.
 */
function watchCsp(context: BrowserContext, found: string[], watched: WeakSet<BrowserContext>): void {
  if (watched.has(context)) return;
  watched.add(context);
  context.on('console', (msg) => {
    if (isCspViolation(msg.text())) found.push(`console ${msg.type()}: ${msg.text()}`);
  });
  const report = (_source: unknown, text: string) => {
    found.push(`securitypolicyviolation: ${text}`);
  };
  context.exposeBinding('__parleyCspViolation', report).catch((e) => found.push(`cannot watch: ${e}`));
  context
    .addInitScript(() => {
      document.addEventListener(
        'securitypolicyviolation',
        (e) => {
          const w = window as unknown as { __parleyCspViolation?: (t: string) => void };
          w.__parleyCspViolation?.(
            `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`,
          );
        },
        true,
      );
    })
    .catch((e) => found.push(`cannot watch: ${e}`));
}

/**
 * Every spec's `test`: the same as Playwright's, and each test fails if any
 * page it opened (through the `page` fixture or `browser.newContext()`)
 * met a Content-Security-Policy violation. Import `test` from here.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ browser }: { browser: Browser }, use) => {
      const found: string[] = [];
      const watched = new WeakSet<BrowserContext>();
      const onContext = (context: BrowserContext) => watchCsp(context, found, watched);
      for (const context of browser.contexts()) onContext(context);
      browser.on('context', onContext);
      try {
        await use(found);
      } finally {
        browser.off('context', onContext);
      }
      expect(found, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

/** Collects console errors/warnings and uncaught page errors. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

/** Registers with JavaScript off: the plain HTML form, then /chat. */
export async function registerWithoutScript(page: Page, username: string): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId('current-user')).toHaveText(username);
}
