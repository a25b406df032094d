/** Markdown tables from a results object (bench/main.ts writes it; docs/performance.md shows them through scripts/docs-numbers.ts). */
import type { LoadResult } from './http.ts';
import type { StageResult } from './stages.ts';
import type { Summary } from './stats.ts';

/** The parts of a results file the tables read. */
export interface Results {
  startedAt: string;
  machine: { cpu: string; cores: number; deno: string };
  loadAverage: { before: number[]; after: number[] };
  ceiling: { conv3x3GflopsSingleThread: number; shape: string };
  models: Record<string, ModelRow>;
  stages: StageResult[];
  http: LoadResult[];
  coldStart: unknown[];
}

/** One model's size and speed. */
export interface ModelRow {
  parameters: number;
  mflops: number;
  inferenceP50Ms: number;
  achievedGflops: number;
  [more: string]: unknown;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The performance tables: stages per model and image, models' FLOPs, HTTP load, cold start. */
export function markdownTables(r: Results): string {
  const lines: string[] = [];
  lines.push(`Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${r.machine.cpu} (${r.machine.cores} cores), Deno ${r.machine.deno}; load average ${r.loadAverage.before.join(' ')} before, ${r.loadAverage.after.join(' ')} after.`);
  lines.push('');
  lines.push('| model | image | decode p50 | preprocess p50 | inference p50 | JSON p50 | total p50 | CPU / prediction |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const s of r.stages) {
    lines.push(`| ${s.model} (${s.input}) | ${s.image} | ${ms(s.decode.p50)} | ${ms(s.preprocess.p50)} | ${ms(s.inference.p50)} | ${ms(s.jsonEncode.p50)} | ${ms(s.total.p50)} | ${ms(s.cpuMsPerPrediction)} |`);
  }
  lines.push('');
  lines.push(`| model | parameters | MFLOP / image | inference p50 (ms) | achieved GFLOP/s |`);
  lines.push('|---|---|---|---|---|');
  for (const [name, m] of Object.entries(r.models)) {
    lines.push(`| ${name} | ${m.parameters.toLocaleString('en')} | ${m.mflops} | ${ms(m.inferenceP50Ms)} | ${m.achievedGflops} |`);
  }
  lines.push(`| ceiling: best plain 3×3 conv (${r.ceiling.shape}), same backend, 1 thread | | | | ${r.ceiling.conv3x3GflopsSingleThread} |`);
  for (const [name, m] of Object.entries(r.models)) {
    const convs = m.convLayers as { name: string; outputShape: number[]; macs: number; ms: number | string; gflops: number | string }[] | undefined;
    if (!convs) continue;
    lines.push('');
    lines.push(`${name}: kernels ${m.kernelMsTotal} ms of a ${ms(m.inferenceP50Ms)} ms forward pass (tf.profile, median of 9).`);
    lines.push('');
    lines.push('| conv layer | output | MMAC | kernel ms | GFLOP/s |');
    lines.push('|---|---|---|---|---|');
    for (const c of convs) lines.push(`| ${c.name} | ${c.outputShape.join('×')} | ${(c.macs / 1e6).toFixed(2)} | ${c.ms} | ${c.gflops} |`);
  }
  if (r.http.length) {
    lines.push('');
    lines.push('| server | image | concurrency | req/s | p50 ms | p95 ms | p99 ms | server CPU ms / req | errors |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const h of r.http) {
      lines.push(`| ${h.mode === 'parallel' ? 'deno serve --parallel' : 'deno serve (1 isolate)'} | ${h.image} | ${h.concurrency} | ${h.throughputPerSecond.toFixed(0)} | ${ms(h.latency.p50)} | ${ms(h.latency.p95)} | ${ms(h.latency.p99)} | ${ms(h.serverCpuMsPerRequest)} | ${h.errors} |`);
    }
  }
  if (r.coldStart.length) {
    lines.push('');
    lines.push('| cold start (spawn → first /predict 200) | p50 ms | max ms | runs |');
    lines.push('|---|---|---|---|');
    for (const c of r.coldStart as { mode: string; summary: Summary }[]) {
      lines.push(`| ${c.mode === 'parallel' ? 'deno serve --parallel' : 'deno serve'} | ${c.summary.p50.toFixed(0)} | ${c.summary.max.toFixed(0)} | ${c.summary.n} |`);
    }
  }
  return lines.join('\n');
}
