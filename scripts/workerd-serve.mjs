#!/usr/bin/env node
// Serves the Worker in local workerd through Miniflare (the engine behind `wrangler dev`) on 127.0.0.1:
// bundles it exactly as `wrangler deploy` would (--dry-run --outdir), then prints one JSON line
// {"url": ..., "bundleBytes": ..., "startMs": ...} and serves until SIGTERM/SIGINT.
// Usage: node scripts/workerd-serve.mjs [--port N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';

const root = new URL('..', import.meta.url).pathname;
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const out = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});

// wrangler.toml's [vars], so local runs get the same limits as a deploy.
const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
const varsSection = toml.split(/^\[vars\]\s*$/m)[1]?.split(/^\[/m)[0] ?? '';
const bindings = Object.fromEntries([...varsSection.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));

const files = readdirSync(out).filter((f) => f !== 'README.md' && !f.endsWith('.map'));
files.sort((a, b) => (a === 'worker.js' ? -1 : b === 'worker.js' ? 1 : 0)); // the main module comes first
const modules = files.map((f) => ({
  type: f.endsWith('.wasm') ? 'CompiledWasm' : f.endsWith('.bin') ? 'Data' : 'ESModule',
  path: join(out, f),
}));
const bundleBytes = files.reduce((n, f) => n + statSync(join(out, f)).size, 0);

const started = performance.now();
const mf = new Miniflare({ modules, modulesRoot: out, compatibilityDate: '2025-01-01', bindings, host: '127.0.0.1', port });
const url = (await mf.ready).toString().replace(/\/$/, '');
console.log(JSON.stringify({ url, bundleBytes, startMs: Math.round(performance.now() - started) }));

const stop = async () => {
  await mf.dispose();
  rmSync(out, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
