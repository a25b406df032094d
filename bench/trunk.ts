/**
 * `deno run -A bench/trunk.ts`: inference time per prediction (batch 1, tfjs WASM SIMD, one thread) of the
 * nsfwjs MobileNetV2 trunk cut after block 3/5/6/8/10 with the edge head at 96/112/128/160 px, run through the
 * tfjs-layers API and through FusedForward; plus the model in static/model the same two ways. Writes
 * bench/results/trunk.json and prints a Markdown table, so a cut that fits the CPU budget can be picked.
 * Flags: --blocks=3,5,6,8,10 --sizes=96,112,128,160 --channels=3 --head=64 --iterations=30 --out=PATH.
 * The machine's load average is recorded before and after: on a busy machine wall times are inflated; the
 * process CPU time per prediction is the steadier number.
 */
import process from 'node:process';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelArtifacts } from '../src/model/classifier.ts';
import { FusedForward } from '../src/model/fused-forward.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { cutLayer, loadMobileNetV2, trunkArtifacts } from '../train/mobilenet-trunk.ts';
import { countMacs } from './flops.ts';
import { loadAverage, machine, summarize, type Summary } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    blocks: { type: 'string', default: '3,5,6,8,10' },
    sizes: { type: 'string', default: '96,112,128,160' },
    channels: { type: 'string', default: '3' },
    head: { type: 'string', default: '64' },
    iterations: { type: 'string', default: '30' },
    out: { type: 'string', default: 'bench/results/trunk.json' },
  },
});
const list = (s: string) => s.split(',').map(Number);
const iterations = Number(flags.iterations);

/** One way of running one model: wall-time summary and process CPU ms per prediction. */
interface Timing {
  wallMs: Summary;
  cpuMsPerPrediction: number;
}

interface Row {
  model: string;
  cut: string | null;
  input: string;
  megaMacs: number;
  params: number;
  layers: number;
  fusedOps: number | null;
  layersApi: Timing;
  fused: Timing | null;
  /** layersApi CPU ÷ fused CPU. */
  speedup: number | null;
}

function load({ modelJson, weights }: ModelArtifacts): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: (weights[modelJson.weightsManifest[0].paths[0]] as Uint8Array).slice().buffer,
  }));
}

/** Times `runs` (interleaved, so load drift hits each alike): warm-up, then `iterations` rounds. */
function timeInterleaved(runs: (() => void)[]): Timing[] {
  for (const run of runs) for (let i = 0; i < 5; i++) run();
  const walls = runs.map(() => [] as number[]);
  const cpu = runs.map(() => 0);
  for (let i = 0; i < iterations; i++) {
    for (const [k, run] of runs.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      run();
      walls[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k] += (c.user + c.system) / 1000;
    }
  }
  return runs.map((_, k) => ({ wallMs: summarize(walls[k]), cpuMsPerPrediction: Math.round((cpu[k] / iterations) * 1000) / 1000 }));
}

/** Layers API vs folded pass on one model, batch 1, input built from a Float32Array as serving does. */
function measure(model: tfl.LayersModel, name: string, cut: string | null): Row {
  const [, h, w, c] = model.inputs[0].shape as number[];
  const pixels = Float32Array.from({ length: h * w * c }, (_, i) => (i % 251) / 251);
  const fused = FusedForward.fromModel(model, { keep: ['cam_features'] });
  const viaLayers = () => tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, h, w, c])) as tf.Tensor).dataSync());
  const viaFused = () => tf.tidy(() => fused!.predict(tf.tensor4d(pixels, [1, h, w, c])).dataSync());
  const [layersApi, folded] = timeInterleaved(fused ? [viaLayers, viaFused] : [viaLayers]);
  const row: Row = {
    model: name,
    cut,
    input: `${h}×${w}×${c}`,
    megaMacs: Math.round(countMacs(model).total / 1e4) / 100,
    params: model.countParams(),
    layers: model.layers.length,
    fusedOps: fused?.opCount ?? null,
    layersApi,
    fused: folded ?? null,
    speedup: folded ? Math.round((layersApi.cpuMsPerPrediction / folded.cpuMsPerPrediction) * 100) / 100 : null,
  };
  fused?.dispose();
  return row;
}

const log = (message: string) => console.error(`[trunk] ${message}`);
const loadBefore = loadAverage();
log(`load average before: ${loadBefore.join(' ')}`);
await startWasmBackend();
const rows: Row[] = [];

try {
  const { artifacts, card } = await readModelDir(BUNDLED_MODEL_DIR);
  const shipped = await load(artifacts);
  rows.push(measure(shipped, `static/model (${(card as { name?: string }).name ?? 'shipped'} ${(card as { version?: string }).version ?? ''})`.trim(), null));
  shipped.dispose();
  log(`static/model done`);
} catch (error) {
  log(`static/model not measured: ${(error as Error).message}`);
}

const full = await loadMobileNetV2();
for (const block of list(flags.blocks)) {
  for (const size of list(flags.sizes)) {
    const channels = Number(flags.channels) as 1 | 3;
    const model = await load(await trunkArtifacts(full, { block, size, channels, headFilters: Number(flags.head) }));
    const row = measure(model, 'mobilenet_v2 (nsfwjs) + head', cutLayer(block));
    rows.push(row);
    log(`block ${block} ${size}px: layers ${row.layersApi.cpuMsPerPrediction} ms CPU, fused ${row.fused?.cpuMsPerPrediction} ms CPU`);
    model.dispose();
  }
}
full.dispose();

const loadAfter = loadAverage();
const result = {
  date: new Date().toISOString(),
  command: `deno run -A bench/trunk.ts ${Deno.args.join(' ')}`.trim(),
  backend: `tfjs ${tf.version_core} ${tf.getBackend()} (SIMD, 1 thread)`,
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAfter },
  note: 'Batch 1, input tensor creation + forward + dataSync. cpuMsPerPrediction is this process\'s CPU time ' +
    '÷ predictions; wall times are inflated when loadAverage exceeds the core count.',
  headFilters: Number(flags.head),
  iterations,
  rows,
};
await Deno.mkdir(new URL('./results/', import.meta.url), { recursive: true });
await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
log(`wrote ${flags.out}; load average after: ${loadAfter.join(' ')}`);

const lines = [
  `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC, ${result.backend}; load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after (2 cores: above 2 the machine was busy and wall times are inflated). CPU ms per prediction, p50 wall ms in brackets.`,
  '',
  '| model | cut | input | MMACs | layers API ms CPU (p50 wall) | fused ms CPU (p50 wall) | ops layers→fused | speed-up |',
  '|---|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const t = (x: Timing | null) => (x ? `${x.cpuMsPerPrediction.toFixed(1)} (${x.wallMs.p50.toFixed(1)})` : '—');
    return `| ${r.model} | ${r.cut ?? '—'} | ${r.input} | ${r.megaMacs} | ${t(r.layersApi)} | ${t(r.fused)} | ${r.layers}→${r.fusedOps ?? '—'} | ${r.speedup ?? '—'}× |`;
  }),
];
// The same table as Markdown beside the JSON, for docs/performance.md (table:include, npm run docs).
await Deno.writeTextFile(flags.out.replace(/\.json$/, '.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
