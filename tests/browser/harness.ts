/// <reference lib="dom" />
/** Starts the real Deno server and Debian's headless Chromium for the browser tests (Node, playwright-core). */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { inCi } from '../fixtures/ci.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DATA = process.env.DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const OUT = join(ROOT, 'test-output');

// The npm package's bin is a Node wrapper around the real binary; killing the wrapper would leave the server
// running, so spawn the binary itself.
const DENO_BINARY = join(ROOT, 'node_modules/deno/deno');

/** Why the browser tests cannot run here, or false when they can (under CI=true always false: they then fail). */
export function skipReason(): string | false {
  if (inCi()) return false;
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (bash scripts/ensure-chromium.sh installs it)`;
  if (!existsSync(join(ROOT, 'static/model/model.json'))) return 'no bundled model in static/model';
  if (!existsSync(join(DATA, 'busi'))) return `needs the shared data at ${DATA}`;
  return false;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A running `deno serve src/deno.ts`: its base URL and how to stop it. */
export interface DenoServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port and waits until /ready answers 200. */
export async function startDenoServer(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<DenoServer> {
  const port = await freePort();
  const deno = existsSync(DENO_BINARY) ? DENO_BINARY : 'deno';
  const args = ['serve', '--allow-read', '--allow-env', '--allow-net', '--host', '127.0.0.1', '--port', String(port), 'src/deno.ts'];
  const child: ChildProcess = spawn(deno, args, { cwd: ROOT, env: { ...process.env, PORT: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/ready`);
      await res.body?.cancel();
      if (res.status === 200) return { url, stop };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the Deno server did not become ready within ${timeoutMs} ms:\n${stderr}`);
}

/**
 * Headless Chromium in a new, empty profile folder (playwright passes it as --user-data-dir), deleted on close.
 * `options` sets the viewport and phone emulation (isMobile, hasTouch) for every page of the context.
 */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Whether the heatmap's painted pixels are mostly red (evidence for malignancy) or blue (towards benign). */
export function dominantChannel(page: Page): Promise<'red' | 'blue'> {
  return page.evaluate(() => {
    const c = document.getElementById('heatmap') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let red = 0, blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      red += d[i] * d[i + 3];
      blue += d[i + 2] * d[i + 3];
    }
    return red > blue ? 'red' : 'blue';
  });
}
