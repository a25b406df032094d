/**
 * `deno run -A bench/parallel.ts`: /predict throughput of `deno serve --parallel` (one isolate per core) against
 * one isolate, 8 requests in flight, on the BUSI PNG; alternating runs (single, parallel, single, parallel …)
 * so drift in machine load hits both. Records the load average before and after: the ratio means something
 * only on a quiet machine (load average below the core count); on a busy one, say so and re-run.
 * Writes bench/results/parallel.json. Flags: --seconds=N per run (default 8), --rounds=N (default 2),
 * --concurrency=N (default 8), --out=PATH.
 */
import { parseArgs } from 'node:util';
import { loadRun, type LoadResult, startServer, threadCpuSeconds, waitForFirstAnswer } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { loadAverage, machine } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench/results/parallel.json' },
  },
});
if (!hasData()) {
  console.error('bench/parallel.ts: the shared data set is missing; nothing to measure.');
  Deno.exit(0);
}
const log = (message: string) => console.error(`[parallel] ${message}`);
const [png] = await benchImages();
const loadBefore = loadAverage();
log(`load average before: ${loadBefore.join(' ')}`);

// Each run's busiest server threads (CPU s during the run): with --parallel, one per isolate when both work.
const runs: (LoadResult & { busiestThreadsCpuSeconds: number[] })[] = [];
for (let round = 0; round < Number(flags.rounds); round++) {
  for (const parallel of [false, true]) {
    const { server } = startServer(parallel);
    try {
      await waitForFirstAnswer(server.url, png, 60_000);
      // --parallel: the first answer comes from whichever isolate is up first, and keep-alive connections opened
      // before the other one listens stay on the first for the whole run (seen as runs at one isolate's rate).
      if (parallel) await server.isolatesReady(navigator.hardwareConcurrency);
      const before = threadCpuSeconds(server.pid);
      const result = await loadRun(server, parallel ? 'parallel' : 'single', png, Number(flags.concurrency), Number(flags.seconds));
      const after = threadCpuSeconds(server.pid);
      const busiest = [...after].map(([tid, s]) => Math.round((s - (before.get(tid) ?? 0)) * 100) / 100).sort((a, b) => b - a).slice(0, 2);
      runs.push({ ...result, busiestThreadsCpuSeconds: busiest });
      log(`${result.mode}: ${result.throughputPerSecond} requests/s, p50 ${result.latency.p50} ms, busiest threads ${busiest.join(' / ')} s CPU, load ${loadAverage().join(' ')}`);
    } finally {
      await server.stop();
    }
  }
}
const loadAfter = loadAverage();
const mean = (mode: string) => {
  const xs = runs.filter((r) => r.mode === mode).map((r) => r.throughputPerSecond);
  return xs.reduce((s, x) => s + x, 0) / xs.length;
};
const ratio = Math.round((mean('parallel') / mean('single')) * 100) / 100;
const cores = navigator.hardwareConcurrency;
const busy = Math.max(loadBefore[0] ?? 0, loadAfter[0] ?? 0) >= cores;
const result = {
  date: new Date().toISOString(),
  command: `deno run -A bench/parallel.ts ${Deno.args.join(' ')}`.trim(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAfter },
  machineBusy: busy,
  note: busy
    ? `The 1-minute load average reached ${Math.max(loadBefore[0], loadAfter[0])} on ${cores} cores: other processes held the cores, so this ratio understates --parallel. Re-run on a quiet machine.`
    : 'Load average stayed below the core count.',
  image: png.name,
  concurrency: Number(flags.concurrency),
  throughput: { single: Math.round(mean('single') * 10) / 10, parallel: Math.round(mean('parallel') * 10) / 10, ratio },
  runs,
};
await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
log(`wrote ${flags.out}`);
console.log(`deno serve --parallel ÷ one isolate at ${flags.concurrency} in flight: ${ratio}× (${result.throughput.parallel} vs ${result.throughput.single} requests/s)`);
console.log(`load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}${busy ? ' — machine busy, re-run when quiet' : ''}`);
