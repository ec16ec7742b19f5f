// The README's screenshots of the chat window (docs/chat-*.png).
//
// Starts target/release/parley with PARLEY_DEMO=1 on a throwaway database,
// logs in as ana in Debian Chromium, opens the group chat, and saves a
// desktop and a narrow (phone-sized) screenshot.
// Usage: node bench/screenshots.mjs   (from end2end/, after a release build)
import { chromium } from '@playwright/test';
import { startParley } from './server.mjs';

const { base: BASE, stop } = await startParley(3301, { PARLEY_DEMO: '1' });

async function shoot(browser, viewport, file) {
  const ctx = await browser.newContext({ viewport, timezoneId: 'Europe/London' });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('Username').fill('ana');
  await page.getByLabel('Password').fill('parley-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/chat$/);
  await page.locator('[data-testid=nav-item]').first().click();
  await page.locator('[data-testid=message]').first().waitFor();
  // Let the time-zone correction settle, then show a hover toolbar.
  await page.waitForTimeout(500);
  const target = page.locator('[data-testid=message]').filter({ has: page.locator('[data-testid=reaction]') }).last();
  await target.hover();
  await page.screenshot({ path: file });
  await ctx.close();
  console.log(`saved ${file}`);
}

try {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  await shoot(browser, { width: 1280, height: 800 }, '../docs/chat-desktop.png');
  await shoot(browser, { width: 390, height: 780 }, '../docs/chat-narrow.png');
  await browser.close();
} finally {
  stop();
}
