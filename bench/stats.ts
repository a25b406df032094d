import process from 'node:process';
/** Latency summary of a set of samples (milliseconds). */
export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (p in [0, 100]). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Summarises samples, rounded to microseconds so the JSON stays readable. */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    mean: round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0] ?? NaN),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** The machine's load averages (1, 5, 15 min) from /proc/loadavg; a busy machine inflates every number. */
export function loadAverage(): number[] {
  try {
    return Deno.readTextFileSync('/proc/loadavg').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

/** CPU model and logical core count, for the results file. */
export function machine(): { cpu: string; cores: number; deno: string; v8: string } {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync('/proc/cpuinfo'))?.[1] ?? cpu;
  } catch { /* not Linux */ }
  return { cpu, cores: navigator.hardwareConcurrency, deno: Deno.version.deno, v8: Deno.version.v8 };
}

/**
 * Process CPU ms (all threads) per call of each step, the steps interleaved call by call for `rounds` rounds
 * after 5 warm-up rounds, so drift in machine load falls on every step alike.
 */
export async function interleavedCpuMs(calls: (() => Promise<unknown>)[], rounds: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) for (const call of calls) await call();
  const cpu = calls.map(() => 0);
  for (let i = 0; i < rounds; i++) {
    for (const [k, call] of calls.entries()) {
      const c0 = process.cpuUsage();
      await call();
      const c = process.cpuUsage(c0);
      cpu[k] += (c.user + c.system) / 1000;
    }
  }
  return cpu.map((total) => Math.round((total / rounds) * 100) / 100);
}
