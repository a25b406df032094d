#!/usr/bin/env node
// Serves the Worker in local workerd on 127.0.0.1 through Miniflare (the engine behind `wrangler dev`).
// It serves exactly what `wrangler deploy` would upload: the bundle from `wrangler deploy --dry-run --outdir`,
// with wrangler.toml's compatibility date, flags and [vars]. Prints one JSON line
//   {"url", "bundleBytes", "bundleGzipBytes", "startMs", "launcherPid", "workerdPid"}
// once workerd listens, then serves until SIGTERM/SIGINT (or until stdin closes, with --stop-on-stdin-close,
// so a test that dies cannot leave workerd behind). Worker console output goes to stderr.
// Usage: node scripts/workerd-serve.mjs [--port N] [--var NAME=value …] [--stop-on-stdin-close] [--inspector-port N] [--config PATH] [--direct]
// --direct also announces "directUrl": a socket straight to the Worker. Requests to "url" pass through Miniflare's
// entry worker first (routing, its own JavaScript), which a deployed Worker does not run (bench/workerd.ts).
// --inspector-port opens workerd's DevTools protocol on 127.0.0.1:N (CPU profiles of the Worker, docs/workers.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    var: { type: 'string', multiple: true, default: [] },
    'stop-on-stdin-close': { type: 'boolean', default: false },
    'inspector-port': { type: 'string' },
    config: { type: 'string' },
    direct: { type: 'boolean', default: false },
  },
});
const root = new URL('..', import.meta.url).pathname;
// --config serves another Worker entry with the project's settings (bench/workerd-parts.ts); default wrangler.toml.
const configPath = args.config ?? join(root, 'wrangler.toml');
const config = unstable_readConfig({ config: configPath });

const out = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out, '--config', configPath], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});

// The upload: every module wrangler wrote (the README and source map are not uploaded).
const files = readdirSync(out).filter((f) => f !== 'README.md' && !f.endsWith('.map'));
// The main module comes first; wrangler names it after the entry file (src/worker.ts → worker.js).
const main = `${basename(config.main).replace(/\.[^.]+$/, '')}.js`;
files.sort((a, b) => (a === main ? -1 : b === main ? 1 : 0));
const modules = files.map((f) => ({
  type: f.endsWith('.wasm') ? 'CompiledWasm' : f.endsWith('.bin') ? 'Data' : 'ESModule',
  path: join(out, f),
}));
const contents = files.map((f) => readFileSync(join(out, f)));
const bundleBytes = contents.reduce((n, c) => n + c.length, 0);
const bundleGzipBytes = contents.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);

const bindings = { ...config.vars };
for (const pair of args.var) {
  const eq = pair.indexOf('=');
  if (eq < 1) throw new Error(`--var expects NAME=value, got "${pair}"`);
  bindings[pair.slice(0, eq)] = pair.slice(eq + 1);
}

// Worker console.log lines go to stderr so stdout carries only the announcement line.
class StderrLog extends Log {
  log(message) {
    process.stderr.write(`${message}\n`);
  }
}

const started = performance.now();
const mf = new Miniflare({
  modules,
  modulesRoot: out,
  compatibilityDate: config.compatibility_date,
  compatibilityFlags: config.compatibility_flags,
  bindings,
  host: '127.0.0.1',
  port: Number(args.port),
  log: new StderrLog(LogLevel.INFO),
  // workerd's own stdout/stderr carry the Worker's console output (access log, ready event).
  handleRuntimeStdio(stdout, stderr) {
    stdout.pipe(process.stderr);
    stderr.pipe(process.stderr);
  },
  cf: false, // no network lookup of Cloudflare's request metadata (this machine is offline)
  ...(args['inspector-port'] ? { inspectorPort: Number(args['inspector-port']) } : {}),
  // --direct: a second socket straight to the Worker, without Miniflare's entry worker in between.
  ...(args.direct ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
});
let url;
try {
  url = (await mf.ready).toString().replace(/\/$/, '');
} finally {
  // workerd has loaded the modules; the files are not needed any more (and Miniflare's own exit hook may end
  // this process on SIGTERM before any cleanup of ours could run).
  rmSync(out, { recursive: true, force: true });
}
const startMs = Math.round(performance.now() - started);
const directUrl = args.direct ? (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, '') : undefined;

// Miniflare runs one workerd child; its pid lets benchmarks read the runtime's memory from /proc.
function workerdPid() {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[1]) === process.pid && stat.includes('(workerd)')) return Number(entry);
      } catch { /* gone meanwhile */ }
    }
  } catch { /* no /proc */ }
  return null;
}

console.log(
  JSON.stringify({
    url,
    ...(directUrl ? { directUrl } : {}),
    bundleBytes,
    bundleGzipBytes,
    startMs,
    launcherPid: process.pid,
    workerdPid: workerdPid(),
  }),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mf.dispose();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args['stop-on-stdin-close']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
