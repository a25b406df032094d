/**
 * How close the fast batch-norm adaptation methods come to the exact layer-by-layer one (docs/adapt.md), without
 * labels: on a seeded sample of a site's images, each method adapts a fresh copy of the model; the adapted
 * statistics and the scores on those images are compared with the layerwise method's. Yardstick: how much the
 * one-pass result moves when it is given a different sample of as many images from the same site (what the choice
 * of images alone changes). Writes train/results/adapt-methods.json and .md:
 *   npx tsx scripts/adapt-methods.ts [--model static/model] [--site breast-lesions-usg] [--images 50] [--seed 1]
 *                                    [--batch-size 32] [--backend auto] [--out train/results/adapt-methods.json]
 * Scores here are the adapted layers model's (tfjs-layers, inference mode), not the serving path: the comparison is
 * between methods, and the serving fold is the same for all of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadNodeDecoders } from '../src/runtime/node-wasm.ts';
import { modelInputSpec } from '../train/adapt/adapt-dir.ts';
import { type BackendChoice, useAdaptBackend } from '../train/adapt/backend.ts';
import { type AdaptOptions, adaptBatchNorm, batchNormLayers, movingStats } from '../train/adapt/batch-norm.ts';
import { median } from '../train/adapt/moments.ts';
import { loadLayersModelDir } from '../train/adapt/model-dir.ts';
import { site } from '../train/adapt/sites.ts';
import { DEFAULT_DATA, ROOT } from '../train/args.ts';
import { loadInputs } from '../train/data/load.ts';
import { seededRandom, shuffled } from '../train/random.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'static/model' },
    data: { type: 'string', default: DEFAULT_DATA },
    site: { type: 'string', default: 'breast-lesions-usg' },
    images: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string', default: 'train/results/adapt-methods.json' },
  },
});

const started = Date.now();
const load = loadavg()[0];
const modelDir = resolve(args.model!);
const n = Number(args.images);
const batchSize = Number(args['batch-size']);
const backend = await useAdaptBackend(args.backend as BackendChoice);
const spec = await modelInputSpec(modelDir);
const samples = site(args.site!).read(join(args.data!, args.site!));
if (samples.length < 2 * n) throw new Error(`the yardstick needs two disjoint samples: ${samples.length} images < 2 × ${n}`);
const order = shuffled(samples, seededRandom(Number(args.seed)));
const decoders = await loadNodeDecoders();
const inputs = await loadInputs(order.slice(0, n), decoders, spec);
const other = await loadInputs(order.slice(n, 2 * n), decoders, spec);

type Stats = ReturnType<typeof movingStats>;
interface Adapted { stats: Stats[]; scores: number[]; seconds: number; cpuSeconds: number; layers: string[] }

function scoresOf(model: LayersModel): number[] {
  return tf.tidy(() => Array.from((model.predict(tf.stack(inputs.map((x) => tf.tensor(x, [spec.height, spec.width, spec.channels]))), { batchSize }) as tf.Tensor).dataSync()));
}

/** A fresh copy of the model adapted on `images` with `options`, timed (the forward passes only). */
async function adapted(images: Float32Array[], options: AdaptOptions): Promise<Adapted> {
  const model = await loadLayersModelDir(modelDir);
  const t = performance.now();
  // CPU time of this process (all threads): wall time on a shared machine mostly measures the other jobs.
  const cpu = process.cpuUsage();
  adaptBatchNorm(model, images, { batchSize, ...options });
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const layers = batchNormLayers(model);
  const result = { stats: layers.map(movingStats), scores: scoresOf(model), seconds, cpuSeconds, layers: layers.map((l) => l.name) };
  model.dispose();
  return result;
}

/**
 * Distance of `a` from `reference`, per layer: the largest mean difference over channels in the reference's
 * standard deviations, and the largest |log variance ratio|; and of the scores on the sample: max and mean |Δp|.
 */
function distance(a: Adapted, reference: Adapted) {
  const perLayer = a.stats.map((s, k) => {
    const r = reference.stats[k];
    let mean = 0;
    let variance = 0;
    for (let c = 0; c < s.mean.length; c++) {
      mean = Math.max(mean, Math.abs(s.mean[c] - r.mean[c]) / Math.sqrt(r.variance[c] + 1e-3));
      variance = Math.max(variance, Math.abs(Math.log((s.variance[c] + 1e-6) / (r.variance[c] + 1e-6))));
    }
    return { layer: a.layers[k], mean, variance };
  });
  const dp = a.scores.map((p, i) => Math.abs(p - reference.scores[i]));
  const worst = perLayer.reduce((w, l) => (l.mean > w.mean ? l : w));
  return {
    meanDiffSd: { max: worst.mean, maxLayer: worst.layer, median: median(perLayer.map((l) => l.mean)) },
    logVarianceRatio: { max: Math.max(...perLayer.map((l) => l.variance)), median: median(perLayer.map((l) => l.variance)) },
    score: { maxAbs: Math.max(...dp), meanAbs: dp.reduce((x, y) => x + y, 0) / dp.length },
  };
}

const VARIANTS: { id: string; label: string; options: AdaptOptions }[] = [
  { id: 'one-pass', label: 'one pass, upstream layers normalised with batch statistics (default)', options: { method: 'one-pass', upstream: 'batch', passes: 1 } },
  { id: 'one-pass+1', label: 'the same plus one refining pass with the adapted statistics', options: { method: 'one-pass', upstream: 'batch', passes: 2 } },
  { id: 'source-1', label: 'one pass, upstream layers normalised with the source statistics', options: { method: 'one-pass', upstream: 'moving', passes: 1 } },
  { id: 'source-2', label: 'the same, 2 passes in all', options: { method: 'one-pass', upstream: 'moving', passes: 2 } },
  { id: 'source-3', label: 'the same, 3 passes in all', options: { method: 'one-pass', upstream: 'moving', passes: 3 } },
];

process.stderr.write(`layerwise on ${n} images …\n`);
const exact = await adapted(inputs, { method: 'layerwise' });
const variants = [];
for (const v of VARIANTS) {
  const a = await adapted(inputs, v.options);
  variants.push({ id: v.id, label: v.label, seconds: a.seconds, cpuSeconds: a.cpuSeconds, ...distance(a, exact) });
  process.stderr.write(`${v.id}: ${a.seconds.toFixed(1)} s, max |Δp| ${variants.at(-1)!.score.maxAbs.toExponential(2)}\n`);
}
// The yardstick: the default method on another sample of as many images, scored on the first sample.
const base = await adapted(inputs, VARIANTS[0].options);
const resampled = await adapted(other, VARIANTS[0].options);

const output = {
  command: ['npx tsx scripts/adapt-methods.ts', ...process.argv.slice(2)].join(' '),
  createdAt: new Date().toISOString(),
  model: { dir: args.model, batchNormLayers: exact.layers.length },
  site: args.site,
  images: n,
  batchSize,
  backend,
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverageAtStart: load, tfjs: tf.version_core },
  layerwise: { seconds: exact.seconds, cpuSeconds: exact.cpuSeconds },
  variants,
  otherSample: { label: `the default method on another ${n} images of the same site vs on these ${n}`, ...distance(resampled, base) },
  runtimeSeconds: (Date.now() - started) / 1000,
};
const out = resolve(ROOT, args.out!);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(output, null, 2) + '\n');
writeFileSync(out.replace(/\.json$/, '.md'), markdown(output));
process.stdout.write(`wrote ${out} in ${output.runtimeSeconds.toFixed(0)} s\n`);

/** The table docs/adapt.md includes. */
function markdown(o: typeof output): string {
  const e = (v: number) => v.toExponential(1);
  const row = (label: string, seconds: string, d: ReturnType<typeof distance>) =>
    `| ${label} | ${seconds} | ${d.meanDiffSd.max.toFixed(3)} (${d.meanDiffSd.maxLayer}) | ${d.meanDiffSd.median.toFixed(3)} | ${d.logVarianceRatio.max.toFixed(3)} | ${e(d.score.maxAbs)} | ${e(d.score.meanAbs)} |`;
  return [
    `${o.images} ${o.site} images, model \`${o.model.dir}\` (${o.model.batchNormLayers} batch-norm layers), batches of ${o.batchSize}, ${o.backend === 'tensorflow' ? 'tfjs-node' : 'WASM'}; ` +
    `\`${o.command}\` (${o.createdAt.slice(0, 10)}, load average ${o.machine.loadAverageAtStart.toFixed(1)} at the start). Distances from the exact layer-by-layer result (${o.layerwise.cpuSeconds.toFixed(1)} s of CPU time). Seconds are CPU time (all threads) of the adaptation:`,
    '',
    '| Method | CPU seconds | Mean difference, max over layers (in SD) | median over layers | max \\|log variance ratio\\| | max \\|Δ score\\| | mean \\|Δ score\\| |',
    '|---|---|---|---|---|---|---|',
    ...o.variants.map((v) => row(v.label, v.cpuSeconds.toFixed(1), v)),
    row(`yardstick: ${o.otherSample.label}`, '—', o.otherSample),
    '',
  ].join('\n');
}
