#!/usr/bin/env node
// Bounded load test on 127.0.0.1 with autocannon: starts the Deno server (or workerd with --workerd),
// sends N real-image /predict requests at concurrency C, and reports throughput, latency percentiles,
// errors, and memory + tfjs tensor count before and after (EXPOSE_MEMORY=1 enables /debug/memory).
// Usage: node bench/load.mjs [--requests 10000] [--connections 32] [--parallel] [--workerd] [--json out.json]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({ options: {
  requests: { type: 'string', default: '10000' },
  connections: { type: 'string', default: '32' },
  parallel: { type: 'boolean', default: false },
  workerd: { type: 'boolean', default: false },
  image: { type: 'string', default: '../shared/data/busi/benign/benign (1).png' },
  json: { type: 'string' },
} });
const root = new URL('..', import.meta.url).pathname;
const port = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });

let child;
let base;
if (args.workerd) {
  child = spawn('node', ['scripts/workerd-serve.mjs', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve) => child.stdout.on('data', (d) => { const m = /"url":"([^"]+)"/.exec(String(d)); if (m) resolve(m[1]); }));
} else {
  const flags = ['serve', '--allow-read', '--allow-env', '--allow-net', '--host', '127.0.0.1', '--port', String(port), ...(args.parallel ? ['--parallel'] : []), 'src/deno.ts'];
  child = spawn(`${root}/node_modules/.bin/deno`, flags, { cwd: root, stdio: 'ignore', env: { ...process.env, EXPOSE_MEMORY: '1', RATE_LIMIT_PER_MINUTE: '0' } });
  base = `http://127.0.0.1:${port}`;
}
for (let i = 0; i < 600; i++) {
  try { if ((await fetch(`${base}/ready`)).status === 200) break; } catch { /* starting */ }
  await new Promise((r) => setTimeout(r, 100));
}

const image = readFileSync(new URL(args.image, new URL('..', import.meta.url)));
const boundary = 'loadtestboundary';
const body = Buffer.concat([
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`),
  image,
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);
const memory = async () => (args.workerd || args.parallel ? null : (await fetch(`${base}/debug/memory`)).json());
const before = await memory();
const result = await autocannon({
  url: `${base}/predict`,
  method: 'POST',
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  body,
  connections: Number(args.connections),
  amount: Number(args.requests),
  timeout: 30,
});
await new Promise((r) => setTimeout(r, 500));
const after = await memory();
child.kill('SIGTERM');

const summary = {
  target: args.workerd ? 'workerd' : args.parallel ? 'deno serve --parallel' : 'deno serve (1 isolate)',
  requests: result.requests.total,
  connections: Number(args.connections),
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  requestsPerSecond: Math.round(result.requests.average * 10) / 10,
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  memoryBefore: before,
  memoryAfter: after,
};
console.log(JSON.stringify(summary, null, 2));
if (args.json) writeFileSync(args.json, JSON.stringify(summary, null, 2));
process.exit(0);
