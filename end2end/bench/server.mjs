// Starts the release build on a throwaway database for a bench script and
// waits until it answers; `stop()` ends it and removes the database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startParley(port, env = {}) {
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const server = spawn('../target/release/parley', [], {
    env: {
      ...process.env,
      PARLEY_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dir}/parley.db`,
      LEPTOS_SITE_ROOT: '../target/site',
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: 'inherit',
  });
  const stop = () => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/login`)).ok) return { base, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error('server did not start');
}
