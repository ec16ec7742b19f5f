import { defineConfig } from '@playwright/test';

// The suite runs against the release build (`cargo leptos build --release`),
// started here on its own port with a fresh SQLite file.
const PORT = Number(process.env.PARLEY_E2E_PORT ?? 3100);
const BASE = `http://127.0.0.1:${PORT}`;
// Overridable so a second suite run (another port, another data folder,
// a snapshot of the build) can go on beside this one.
const BIN = process.env.PARLEY_E2E_BIN ?? '../target/release/parley';
const SITE = process.env.PARLEY_E2E_SITE ?? '../target/site';
const DATA = process.env.PARLEY_E2E_DATA ?? '../target/e2e';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: BASE,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `rm -rf ${DATA} && mkdir -p ${DATA} && exec ${BIN}`,
    url: `${BASE}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PARLEY_ADDR: `127.0.0.1:${PORT}`,
      DATABASE_URL: `sqlite://${DATA}/parley.db`,
      LEPTOS_SITE_ROOT: SITE,
      RUST_LOG: 'warn',
    },
  },
});
