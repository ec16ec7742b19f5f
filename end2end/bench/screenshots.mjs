// The README's screenshots (docs/*.png): the chat window, the rooms list
// and a room with its participants.
//
// Starts target/release/parley with PARLEY_DEMO=1 on a throwaway database,
// logs in as ana in Debian Chromium, opens the group chat, and saves a
// desktop and a narrow (phone-sized) screenshot; then /rooms and the demo
// room "River watch" with its participants panel open.
// Usage: node bench/screenshots.mjs   (from end2end/, after a release build)
import { chromium } from '@playwright/test';
import { startParley } from './server.mjs';

const { base: BASE, stop } = await startParley(3301, { PARLEY_DEMO: '1' });

/** Logs the demo's ana in on `page` and waits for the chat list. */
async function logInAsAna(page) {
  await page.goto(`${BASE}/login`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('Username').fill('ana');
  await page.getByLabel('Password').fill('parley-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/chat$/);
}

async function shoot(browser, viewport, file) {
  const ctx = await browser.newContext({ viewport, timezoneId: 'Europe/London' });
  const page = await ctx.newPage();
  await logInAsAna(page);
  await page.locator('[data-testid=nav-item]', { hasText: 'Otter spotters' }).click();
  await page.locator('[data-testid=message]').first().waitFor();
  // Let the time-zone correction settle, then show a hover toolbar.
  await page.waitForTimeout(500);
  const target = page.locator('[data-testid=message]').filter({ has: page.locator('[data-testid=reaction]') }).last();
  await target.hover();
  await page.screenshot({ path: file });
  await ctx.close();
  console.log(`saved ${file}`);
}

async function rooms(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/London' });
  const page = await ctx.newPage();
  await logInAsAna(page);
  await page.goto(`${BASE}/rooms`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: '../docs/rooms.png' });
  console.log('saved ../docs/rooms.png');
  await page.getByRole('link', { name: /River watch/ }).first().click();
  await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
  await page.locator('[data-testid=message]').first().waitFor();
  await page.getByTestId('room-members').click();
  await page.getByTestId('room-panel').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: '../docs/room.png' });
  console.log('saved ../docs/room.png');
  await ctx.close();
}

try {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  await shoot(browser, { width: 1280, height: 800 }, '../docs/chat-desktop.png');
  await shoot(browser, { width: 390, height: 780 }, '../docs/chat-narrow.png');
  await rooms(browser);
  await browser.close();
} finally {
  stop();
}
