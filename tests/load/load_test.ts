/** CI-sized load runs of bench/load.mjs (real ultrasound images over HTTP on 127.0.0.1, autocannon):
 * 500 requests at concurrency 32 against `deno serve`, 200 at concurrency 8 against workerd. Zero errors, every
 * answer 200, and the tfjs tensor count back to its start-up baseline (no tensor leak). Throughput, latency
 * and memory are printed, never asserted (they belong to the benchmark: `node bench/load.mjs`). */
import assert from 'node:assert/strict';
import { hasBundledModel } from '../fixtures/app.ts';
import { DATA_DIR, hasData } from '../fixtures/data.ts';
import { exists } from '../fixtures/fs.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ready = (await hasBundledModel()) && hasData();
if (!ready) console.warn(`skipping load tests: needs static/model and ${DATA_DIR}`);


/** Runs the load script and returns its summary. */
async function load(args: string[]) {
  const out = await Deno.makeTempFile({ suffix: '.json' });
  try {
    const run = await new Deno.Command('node', {
      args: ['bench/load.mjs', ...args, '--json', out],
      cwd: ROOT,
      // The body deadline is for stalled clients; on a busy shared machine a queued upload can wait past the
      // default 10 s, which would be a 408 from the machine's load, not an error of the server.
      env: { DATA_DIR, DEADLINE_MS: '120000' },
      stdout: 'null',
      stderr: 'piped',
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    console.log(stderr.trim().split('\n').at(-1));
    return JSON.parse(await Deno.readTextFile(out));
  } finally {
    await Deno.remove(out);
  }
}

function assertClean(
  s: {
    requests: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    warmupNon2xx: number;
    statuses: Record<string, number>;
    tensors: Record<string, number | null>;
  },
  requests: number,
) {
  assert.equal(s.requests, requests);
  assert.equal(s.errors, 0, 'connection errors');
  assert.equal(s.timeouts, 0, 'timeouts');
  assert.equal(s.non2xx + s.warmupNon2xx, 0, `non-2xx answers: ${JSON.stringify(s.statuses)}`);
  assert.deepEqual(Object.keys(s.statuses), ['200']);
  assert.equal(typeof s.tensors.baseline, 'number', 'the server reported its tensor count');
  assert.equal(s.tensors.afterWarmup, s.tensors.baseline, 'tensor count after warm-up');
  assert.equal(s.tensors.after, s.tensors.baseline, 'tensor count after the run');
}

Deno.test({
  name: 'load (deno serve): 500 real-image requests at concurrency 32, no errors, no tensor leak',
  ignore: !ready,
}, async () => {
  const s = await load(['--requests', '500', '--warmup', '64', '--connections', '32']);
  assertClean(s, 500);
  assert.ok(s.images >= 8, 'several different real images');
});

const workerd = ready && (await exists(`${ROOT}scripts/workerd-serve.mjs`)) &&
  (await exists(`${ROOT}wrangler.toml`));
Deno.test({
  name: 'load (workerd): 200 real-image requests at concurrency 8, no errors, no tensor leak',
  ignore: !workerd,
}, async () => {
  const s = await load(['--workerd', '--requests', '200', '--warmup', '32', '--connections', '8']);
  assertClean(s, 200);
});
