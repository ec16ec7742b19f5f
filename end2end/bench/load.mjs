// Time to interactive of the release build, as a browser sees it.
//
// Starts target/release/parley on a throwaway database, loads /login N
// times in Debian Chromium, and prints median and p95 of:
//   html    – the server-rendered page is parsed (DOMContentLoaded)
//   hydrated – the wasm has taken over (<body data-hydrated="true">)
// for a cold cache (new browser context each load) and a warm one.
// Usage: node bench/load.mjs [loads]   (from end2end/, after a release build)
import { chromium } from '@playwright/test';
import { startParley } from './server.mjs';

const LOADS = Number(process.argv[2] ?? 30);
const { base: BASE, stop } = await startParley(3300);

async function timeLoad(page) {
  const start = Date.now();
  await page.goto(`${BASE}/login`, { waitUntil: 'domcontentloaded' });
  const html = Date.now() - start;
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 10_000 });
  return { html, hydrated: Date.now() - start };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const report = (label, runs) => {
  for (const key of ['html', 'hydrated']) {
    const xs = runs.map((r) => r[key]);
    console.log(`${label.padEnd(11)} ${key.padEnd(9)} median ${String(pct(xs, 50)).padStart(4)} ms   p95 ${String(pct(xs, 95)).padStart(4)} ms   (n=${xs.length})`);
  }
};

try {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const cold = [];
  for (let i = 0; i < LOADS; i++) {
    const ctx = await browser.newContext();
    cold.push(await timeLoad(await ctx.newPage()));
    await ctx.close();
  }
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await timeLoad(page);
  const warm = [];
  for (let i = 0; i < LOADS; i++) warm.push(await timeLoad(page));
  await browser.close();
  console.log(`Parley /login on loopback, release build, ${LOADS} loads each:`);
  report('cold cache', cold);
  report('warm cache', warm);
} finally {
  stop();
}
