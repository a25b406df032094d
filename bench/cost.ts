/**
 * `deno run -A bench/cost.ts`: cost per million predictions from measured CPU ms per request, for Cloudflare
 * Workers (Standard usage pricing) and for a 2-vCPU VM serving with `deno serve --parallel`. Reads the CPU per
 * PNG request from bench/results/latest.json (`deno task bench`: server CPU per request, one isolate, one
 * request in flight) and bench/results/workerd-run.json (`deno run -A bench/workerd.ts --json
 * bench/results/workerd-run.json`: workerd process CPU per warm PNG request sent straight to the Worker); re-run
 * those first on a new model.
 * Writes bench/results/cost.json. Prices are inputs, not measurements: check them against the provider's
 * current price list and pass your own with the flags.
 * Flags: --workers-request-usd (per million requests, default 0.30), --workers-cpu-usd (per million CPU ms,
 * default 0.02), --vm-month-usd (2-vCPU VM per month, default 24), --vm-utilisation (0–1, default 0.5).
 */
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    'workers-request-usd': { type: 'string', default: '0.30' },
    'workers-cpu-usd': { type: 'string', default: '0.02' },
    'vm-month-usd': { type: 'string', default: '24' },
    'vm-utilisation': { type: 'string', default: '0.5' },
    out: { type: 'string', default: 'bench/results/cost.json' },
  },
});
const price = {
  workersPerMillionRequestsUsd: Number(flags['workers-request-usd']),
  workersPerMillionCpuMsUsd: Number(flags['workers-cpu-usd']),
  vmTwoVcpuPerMonthUsd: Number(flags['vm-month-usd']),
  vmUtilisation: Number(flags['vm-utilisation']),
};
const HOURS_PER_MONTH = 730;

function read(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return null;
  }
}

const bench = read('bench/results/latest.json') as { http?: { mode: string; image: string; concurrency: number; serverCpuMsPerRequest: number }[]; models?: { name?: string }[] } | null;
type WorkerdCpu = { workerdCpuMsPerPngRequest?: number | null };
const workerd = read('bench/results/workerd-run.json') as { warmPredict?: WorkerdCpu & { direct?: WorkerdCpu } } | null;
const denoRow = bench?.http?.find((r) => r.mode === 'single' && r.concurrency === 1 && r.image.includes('png'));
const denoCpuMs = denoRow?.serverCpuMsPerRequest ?? null;
// Requests straight to the Worker (no Miniflare entry worker, which a deployed Worker does not run); a run
// written before bench/workerd.ts measured them gives the entry-worker number instead.
const direct = workerd?.warmPredict?.direct?.workerdCpuMsPerPngRequest ?? null;
const workersCpuMs = direct ?? workerd?.warmPredict?.workerdCpuMsPerPngRequest ?? null;
if (denoCpuMs === null && workersCpuMs === null) {
  console.error('bench/cost.ts: no CPU per request in bench/results/latest.json or workerd-run.json; run deno task bench and bench/workerd.ts first');
  Deno.exit(1);
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
/** Workers: the request fee plus CPU ms at the per-million-CPU-ms price (included monthly allowances ignored). */
const workers = workersCpuMs === null ? null : {
  cpuMsPerRequest: workersCpuMs,
  usdPerMillion: round(price.workersPerMillionRequestsUsd + workersCpuMs * price.workersPerMillionCpuMsUsd),
  withinFreePlanCpuLimit: workersCpuMs <= 10,
};
/** VM: CPU seconds for a million requests spread over 2 vCPUs at the given average utilisation. */
const vm = denoCpuMs === null ? null : (() => {
  const vcpuHours = (denoCpuMs * 1e6) / 1000 / 3600;
  const hours = vcpuHours / 2 / price.vmUtilisation;
  const perMonthAtUtilisation = (HOURS_PER_MONTH * 3600 * 2 * price.vmUtilisation * 1000) / denoCpuMs;
  return {
    cpuMsPerRequest: denoCpuMs,
    usdPerMillion: round((hours * price.vmTwoVcpuPerMonthUsd) / HOURS_PER_MONTH, 3),
    millionPredictionsPerMonth: round(perMonthAtUtilisation / 1e6, 1),
  };
})();

const result = {
  date: new Date().toISOString(),
  command: `deno run -A bench/cost.ts ${Deno.args.join(' ')}`.trim(),
  sources: { deno: 'bench/results/latest.json http[single, c=1, PNG].serverCpuMsPerRequest', workers: `bench/results/workerd-run.json warmPredict.${direct === null ? '' : 'direct.'}workerdCpuMsPerPngRequest` },
  prices: price,
  note: 'Workers: request fee + CPU ms × price, before the plan\'s included monthly requests and CPU ms. workerd ' +
    'runs locally on this machine\'s CPU, not Cloudflare\'s. VM: the month\'s price spread over the predictions ' +
    'two vCPUs serve at the given average utilisation (deno serve --parallel uses both).',
  workers,
  vm,
};
await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
