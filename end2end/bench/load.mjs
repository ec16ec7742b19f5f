// Time to interactive of the release build, as a browser sees it.
//
// Starts target/release/parley on a throwaway database, loads /login N
// times in Debian Chromium, and prints median and p95 of:
//   html    – the server-rendered page is parsed (DOMContentLoaded)
//   hydrated – the wasm has taken over (<body data-hydrated="true">)
// for a cold cache (new browser context each load) and a warm one.
// Then the chat window: /chat/<id> of a group with 200 messages, each load
// by a member who has not read them (so all 200 are rendered), cold cache,
// with Chromium's CPU slowed 4× and a "Fast 3G" link (562.5 ms round trip,
// 1.44 Mbit/s down, 675 kbit/s up: Lighthouse's mobile profile), and what
// the load transferred.
// Usage: node bench/load.mjs [loads] [chat loads]   (from end2end/, after a
// release build)
import { chromium } from '@playwright/test';
import { startParley } from './server.mjs';

const LOADS = Number(process.argv[2] ?? 30);
const CHAT_LOADS = Number(process.argv[3] ?? 5);
const MESSAGES = 200;
const PASSWORD = 'bench-password-1';
// Lighthouse's mobile throttling ("Fast 3G" in Chromium's older presets).
const FAST_3G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
  uploadThroughput: (750 * 1024 * 0.9) / 8,
};
const CPU_SLOWDOWN = 4;
const { base: BASE, stop } = await startParley(3300);

async function timeLoad(page) {
  const start = Date.now();
  await page.goto(`${BASE}/login`, { waitUntil: 'domcontentloaded' });
  const html = Date.now() - start;
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 10_000 });
  return { html, hydrated: Date.now() - start };
}

/** Calls a server function from `page` (same origin, its cookies). */
async function call(page, name, fields) {
  return page.evaluate(
    async ({ name, fields }) => {
      const res = await fetch(`/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${name}: ${res.status} ${text}`);
      return text;
    },
    { name, fields },
  );
}

/** A new user registered in a fresh context: their cookies (storageState). */
async function newMember(browser, name) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await call(page, 'register', { username: name, password: PASSWORD });
  return { ctx, page, state: await ctx.storageState() };
}

/** A group of a sender and `readers` members with MESSAGES messages from
 *  the sender; the thread id and each reader's cookies. */
async function chatFixture(browser, readers) {
  const sender = await newMember(browser, 'sender');
  const members = [];
  for (let i = 0; i < readers; i++) {
    const m = await newMember(browser, `reader${i}`);
    members.push(m.state);
    await m.ctx.close();
  }
  const usernames = Object.fromEntries(
    Array.from({ length: readers }, (_, i) => [`usernames[${i}]`, `reader${i}`]),
  );
  const { id } = JSON.parse(await call(sender.page, 'start_chat', usernames));
  for (let i = 0; i < MESSAGES; i++) {
    const body = i % 10 === 0 ? `message ${i}: ${'a longer line of text '.repeat(8)}` : `message ${i}`;
    await call(sender.page, 'send_message', { thread: id, body, client_id: `bench-load-${String(i).padStart(4, "0")}` });
  }
  await sender.ctx.close();
  return { id, members };
}

/** One cold load of the chat window, throttled; times and bytes. */
async function timeChat(browser, thread, state) {
  const ctx = await browser.newContext({ storageState: state });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const urls = new Map();
  let bytes = 0;
  let wasm = 0;
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) ?? '').endsWith('.wasm')) wasm += e.encodedDataLength;
  });
  const start = Date.now();
  await page.goto(`${BASE}/chat/${thread}`, { waitUntil: 'domcontentloaded' });
  const html = Date.now() - start;
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
  const hydrated = Date.now() - start;
  const shown = await page.locator('[data-testid="message"]').count();
  await ctx.close();
  return { html, hydrated, kb: Math.round(bytes / 1024), wasmKb: Math.round(wasm / 1024), shown };
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
  await ctx.close();
  console.log(`Parley /login on loopback, release build, ${LOADS} loads each:`);
  report('cold cache', cold);
  report('warm cache', warm);

  if (CHAT_LOADS > 0) {
    const { id, members } = await chatFixture(browser, CHAT_LOADS);
    const chat = [];
    for (const state of members) chat.push(await timeChat(browser, id, state));
    console.log(
      `\nParley /chat/<id>, a group with ${MESSAGES} messages, each load by a member who has ` +
        `not read them, cold cache, CPU ${CPU_SLOWDOWN}× slower, Fast 3G (562.5 ms RTT, ` +
        `1.44 Mbit/s down), ${chat.length} loads:`,
    );
    report('chat', chat);
    const kb = chat.map((r) => r.kb);
    const wasmKb = chat.map((r) => r.wasmKb);
    console.log(
      `chat        transferred median ${pct(kb, 50)} KB (the wasm ${pct(wasmKb, 50)} KB); ` +
        `messages shown: ${chat.map((r) => r.shown).join(', ')}`,
    );
  }
  await browser.close();
} finally {
  stop();
}
