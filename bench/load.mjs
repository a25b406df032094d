#!/usr/bin/env node
// Bounded load test on 127.0.0.1 with autocannon. Starts the Deno server (`deno serve src/deno.ts` with the
// serve task's permissions; or workerd with --workerd, or `deno serve --parallel`) on a free port, sends N
// /predict requests cycling through real ultrasound images at concurrency C, stops the server, and prints
// throughput, exact latency percentiles, errors, and process memory + tfjs tensor count at three points:
// after start-up, after a warm-up run, after the main run (EXPOSE_MEMORY=1 turns on /debug/memory).
// A leak shows as tensors above baseline or RSS growing with the number of requests after warm-up.
// Usage: node bench/load.mjs [--requests 10000] [--connections 32] [--warmup 300] [--images 24]
//                            [--parallel | --workerd] [--json out.json]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '300' },
    images: { type: 'string', default: '24' },
    parallel: { type: 'boolean', default: false },
    workerd: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const root = new URL('..', import.meta.url).pathname;
const dataDir = process.env.DATA_DIR ?? join(root, '../shared/data');
const log = (line) => process.stderr.write(`${line}\n`);

/** Real images: BUSI benign/malignant/normal frames (PNG) and breast-lesions-usg (PNG), never masks. */
function realImages(count) {
  const sources = ['busi/benign', 'busi/malignant', 'busi/normal', 'breast-lesions-usg/benign', 'breast-lesions-usg/malignant'];
  const lists = sources.map((dir) => {
    try {
      return readdirSync(join(dataDir, dir))
        .filter((f) => /\.(png|jpe?g)$/i.test(f) && !/mask/i.test(f))
        .sort()
        .map((f) => join(dataDir, dir, f));
    } catch {
      return [];
    }
  }).filter((l) => l.length);
  if (!lists.length) throw new Error(`no images under ${dataDir} (set DATA_DIR)`);
  const picked = [];
  for (let i = 0; picked.length < count && i < 10_000; i++) {
    const list = lists[i % lists.length];
    const file = list[Math.floor(i / lists.length) * 7 % list.length]; // spread over each folder
    if (!picked.includes(file)) picked.push(file);
  }
  return picked;
}

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** Starts the target; resolves to its base URL and a stop function. */
async function start(port) {
  if (args.workerd) {
    const child = spawn('node', ['scripts/workerd-serve.mjs', '--port', String(port), '--var', 'EXPOSE_MEMORY=1', '--stop-on-stdin-close'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const info = await new Promise((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        const line = text.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`workerd launcher exited (${code})`)));
    });
    return { base: info.url, pid: info.workerdPid, stop: () => stopChild(child) };
  }
  // The serve task's permissions (no write), plus the address; EXPOSE_MEMORY for the memory probe.
  const task = JSON.parse(readFileSync(join(root, 'deno.json'), 'utf8')).tasks.serve.split(/\s+/);
  const flags = task.slice(2).filter((w) => w.startsWith('-'));
  const argv = ['serve', ...flags, '--host', '127.0.0.1', '--port', String(port), ...(args.parallel ? ['--parallel'] : []), 'src/deno.ts'];
  // The deno binary itself: node_modules/.bin/deno is a Node wrapper that would not pass SIGTERM on.
  const deno = existsSync(join(root, 'node_modules/deno/deno')) ? join(root, 'node_modules/deno/deno') : 'deno';
  const child = spawn(deno, argv, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // PORT is cleared: src/deno.ts honours it over --port.
    env: { ...process.env, EXPOSE_MEMORY: '1', RATE_LIMIT_PER_MINUTE: '0', API_KEY: '', PORT: '' },
  });
  return { base: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function waitReady(base) {
  for (let i = 0; i < 900; i++) {
    try {
      const res = await fetch(`${base}/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server never became ready');
}

/** Tensor count and memory as the server reports them (one isolate; --parallel spreads over several). */
async function memory(base) {
  if (args.parallel) return null;
  await new Promise((r) => setTimeout(r, 300)); // let in-flight work and timers settle
  const res = await fetch(`${base}/debug/memory`);
  return res.ok ? res.json() : null;
}

const boundary = 'load-test-boundary-7f3a';
function multipartBody(bytes, name) {
  const type = /\.png$/i.test(name) ? 'image/png' : 'image/jpeg';
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="upload"\r\nContent-Type: ${type}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/** Runs `amount` requests; exact latency percentiles from every response time. */
function run(base, bodies, amount) {
  return new Promise((resolve, reject) => {
    const times = [];
    const statuses = {};
    const instance = autocannon({
      url: base,
      connections: Number(args.connections),
      amount,
      timeout: 30,
      requests: bodies.map((body) => ({
        method: 'POST',
        path: '/predict',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      })),
    }, (err, result) => (err ? reject(err) : resolve({ result, times, statuses })));
    instance.on('response', (_client, status, _bytes, ms) => {
      times.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (x) => Math.round(x * 10) / 10;
const mb = (m) => (m?.rss ? Math.round(m.rss / 2 ** 20) : null);

const files = realImages(Number(args.images));
const bodies = files.map((f) => multipartBody(readFileSync(f), f));
const port = await freePort();
const server = await start(port);
let summary;
try {
  await waitReady(server.base);
  const baseline = await memory(server.base);
  log(`target up; ${files.length} images (${Math.round(bodies.reduce((n, b) => n + b.length, 0) / files.length / 1024)} KB each on average); warm-up ${args.warmup} requests`);
  const warm = await run(server.base, bodies, Number(args.warmup));
  const afterWarmup = await memory(server.base);
  log(`main run: ${args.requests} requests at concurrency ${args.connections}`);
  const started = performance.now();
  const main = await run(server.base, bodies, Number(args.requests));
  const seconds = (performance.now() - started) / 1000;
  const after = await memory(server.base);
  const sorted = [...main.times].sort((a, b) => a - b);
  const { result } = main;
  summary = {
    target: args.workerd ? 'workerd (wrangler bundle via Miniflare)' : args.parallel ? 'deno serve --parallel' : 'deno serve (1 isolate)',
    images: files.length,
    connections: Number(args.connections),
    warmupRequests: warm.times.length,
    requests: main.times.length,
    statuses: main.statuses,
    non2xx: result.non2xx,
    errors: result.errors + warm.result.errors,
    timeouts: result.timeouts + warm.result.timeouts,
    warmupNon2xx: warm.result.non2xx,
    requestsPerSecond: round(main.times.length / seconds),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1)),
    },
    memory: { baseline, afterWarmup, after },
    rssMb: { baseline: mb(baseline), afterWarmup: mb(afterWarmup), after: mb(after) },
    rssGrowthAfterWarmupMbPer1000: afterWarmup?.rss && after?.rss
      ? round(((after.rss - afterWarmup.rss) / 2 ** 20) / (main.times.length / 1000))
      : null,
    tensors: { baseline: baseline?.tensors ?? null, afterWarmup: afterWarmup?.tensors ?? null, after: after?.tensors ?? null },
  };
} finally {
  await server.stop();
}
console.log(JSON.stringify(summary, null, 2));
log(
  `${summary.target}: ${summary.requests} requests, ${summary.requestsPerSecond} req/s, ` +
    `p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms, p99 ${summary.latencyMs.p99} ms, ` +
    `errors ${summary.errors}, non-2xx ${summary.non2xx}, timeouts ${summary.timeouts}; ` +
    `RSS ${summary.rssMb.baseline} → ${summary.rssMb.afterWarmup} → ${summary.rssMb.after} MB; ` +
    `tensors ${summary.tensors.baseline} → ${summary.tensors.afterWarmup} → ${summary.tensors.after}`,
);
if (args.json) writeFileSync(args.json, JSON.stringify(summary, null, 2));
