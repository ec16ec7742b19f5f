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

/** The server under test, as every spec but nodes.spec.ts sees it. */
const sqliteServer = {
  command: `rm -rf ${DATA} && mkdir -p ${DATA} && exec ${BIN}`,
  url: `${BASE}/login`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  env: {
    PARLEY_ADDR: `127.0.0.1:${PORT}`,
    DATABASE_URL: `sqlite://${DATA}/parley.db`,
    LEPTOS_SITE_ROOT: SITE,
    RUST_LOG: 'warn',
  },
};

/** Quotes `s` as one word for the shell. */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `cluster`'s URL with its database swapped for `name` (the query, ?host=…&port=…, kept). */
function databaseIn(cluster: string, name: string): string {
  const q = cluster.indexOf('?');
  const [base, query] = q < 0 ? [cluster, ''] : [cluster.slice(0, q), cluster.slice(q)];
  const slash = base.lastIndexOf('/');
  if (slash <= base.indexOf('//') + 1) throw new Error(`PARLEY_E2E_POSTGRES names no database: ${cluster}`);
  return `${base.slice(0, slash)}/${name}${query}`;
}

/**
 * With PARLEY_E2E_POSTGRES (a cluster URL), two more servers, node 1 and
 * node 2, on one fresh database of that cluster, for nodes.spec.ts: the
 * way Parley runs on several machines. Node 1 creates the database, node 2
 * waits until it can connect to it (Playwright may start them together).
 * Their URLs reach the spec through PARLEY_E2E_NODE1/2 (set here, so the
 * workers inherit them); without a cluster neither is set and the spec
 * skips.
 */
function nodeServers(cluster: string | undefined) {
  if (!cluster) return [];
  // Named once per run, in the first process that reads this file; the
  // workers read the config again and must not invent another.
  process.env.PARLEY_E2E_PG_DATABASE ??= `parley_e2e_${Date.now().toString(36)}_${process.pid}`;
  const name = process.env.PARLEY_E2E_PG_DATABASE;
  const database = databaseIn(cluster, name);
  const psql = '/usr/bin/psql -X -q -v ON_ERROR_STOP=1';
  const create = `${psql} ${sh(cluster)} -c ${sh(`CREATE DATABASE ${name} TEMPLATE template0`)}`;
  // A start-up wait for a process, not a test's synchronisation: up to a
  // minute (Playwright's timeout for the server) for node 1's CREATE.
  const waitForIt =
    `for i in $(seq 300); do ${psql} ${sh(database)} -Atc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done; ` +
    `${psql} ${sh(database)} -Atc 'SELECT 1' >/dev/null`;
  return [1, 2].map((n) => {
    const port = PORT + n;
    const url = `http://127.0.0.1:${port}`;
    process.env[`PARLEY_E2E_NODE${n}`] = url;
    return {
      command: `${n === 1 ? create : waitForIt} && exec ${BIN}`,
      url: `${url}/login`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: {
        PARLEY_ADDR: `127.0.0.1:${port}`,
        DATABASE_URL: database,
        LEPTOS_SITE_ROOT: SITE,
        RUST_LOG: 'warn',
      },
    };
  });
}

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
    // Off unless asked for (PARLEY_E2E_TRACE=1): recording a trace of every
    // context costs CPU on a two-core runner, and Playwright 1.65 can fail
    // `context.close()` with a truncated trace zip ("End of central directory
    // record signature not found"), an error that replaced the spec's own.
    trace: process.env.PARLEY_E2E_TRACE ? 'retain-on-failure' : 'off',
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
  webServer: [sqliteServer, ...nodeServers(process.env.PARLEY_E2E_POSTGRES)],
});
