// The README's screenshots of the chat window (docs/chat-*.png).
//
// Starts target/release/parley with PARLEY_DEMO=1 on a throwaway database,
// logs in as ana in Debian Chromium, opens the group chat, and saves a
// desktop and a narrow (phone-sized) screenshot.
// Usage: node bench/screenshots.mjs   (from end2end/, after a release build)
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = 3301;
const BASE = `http://127.0.0.1:${PORT}`;
const dir = mkdtempSync(join(tmpdir(), 'parley-shots-'));
const server = spawn('../target/release/parley', [], {
  env: {
    ...process.env,
    PARLEY_ADDR: `127.0.0.1:${PORT}`,
    DATABASE_URL: `sqlite://${dir}/demo.db`,
    LEPTOS_SITE_ROOT: '../target/site',
    PARLEY_DEMO: '1',
    RUST_LOG: 'warn',
  },
  stdio: 'inherit',
});

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${BASE}/login`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

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
  await waitForServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  await shoot(browser, { width: 1280, height: 800 }, '../docs/chat-desktop.png');
  await shoot(browser, { width: 390, height: 780 }, '../docs/chat-narrow.png');
  await browser.close();
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
