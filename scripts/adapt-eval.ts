/**
 * Measures site adaptation (docs/adapt.md) for (model, held-out site) pairs and writes train/results/adapt.json and
 * train/results/adapt.md (the tables docs/adapt.md includes; `npm run docs` copies them in):
 *   npx tsx scripts/adapt-eval.ts [--model static/model] [--site breast-lesions-usg]…   the model on its held-out sites
 *       [--pair MODEL_DIR=SITE]…   further (model, site) rows, e.g. leave-one-site-out models on their held-out site
 *       [--append]                 keep the rows already in --out (a row with the same model folder and site is replaced)
 *       [--method one-pass|layerwise] [--passes 1] [--layers all[,trainable]] [--batch-size 32] [--backend auto]
 *       [--out train/results/adapt.json] [--repeats 5] [--sizes 25,50,100] [--curve first|all|none] [--seed 1]
 *       [--timing-images 250] [--no-timing] [--markdown-only]
 * With --pair and no --site, only the pairs run. --layers all,trainable measures both layer sets (batch-norm.ts
 * AdaptLayers) as separate rows; the curve and the timing use the first. Per row: AUC of the model vs the same model adapted on all the
 * site's images without labels (paired bootstrap); a threshold (sensitivity ≥ 0.9) and Platt calibration chosen on
 * one half of the site (split by case/patient, stratified, seeded) and scored on the other half, for the source and
 * for the model adapted on the fit half's images only; AUC after adapting on 25/50/100 random images (repeats) vs
 * all; and once, the adaptation time for 250 images per backend. Every score comes from the serving path (decode →
 * toModelInput → Classifier on WASM). Only pair a model with a site it was not trained on.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadNodeDecoders } from '../src/runtime/node-wasm.ts';
import { adaptModelDir, modelInputSpec, readSourceCard } from '../train/adapt/adapt-dir.ts';
import { type BackendChoice, useAdaptBackend } from '../train/adapt/backend.ts';
import type { AdaptLayers, AdaptMethod } from '../train/adapt/batch-norm.ts';
import { operatingPoint, pairedAuc, splitHalf, spread } from '../train/adapt/site-eval.ts';
import { site as siteInfo } from '../train/adapt/sites.ts';
import { DEFAULT_DATA, ROOT } from '../train/args.ts';
import { loadInputs } from '../train/data/load.ts';
import { rocAuc } from '../train/eval/metrics.ts';
import { loadServingClassifier, useServingBackend } from '../train/eval/serving.ts';
import { seededRandom, shuffled } from '../train/random.ts';
import { splitByGroup } from '../train/split.ts';
import { markdown } from './adapt-eval-markdown.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'static/model' },
    data: { type: 'string', default: DEFAULT_DATA },
    site: { type: 'string', multiple: true },
    pair: { type: 'string', multiple: true },
    append: { type: 'boolean', default: false },
    out: { type: 'string', default: 'train/results/adapt.json' },
    method: { type: 'string', default: 'one-pass' },
    passes: { type: 'string', default: '1' },
    layers: { type: 'string', default: 'all' },
    'batch-size': { type: 'string', default: '32' },
    repeats: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '25,50,100' },
    // The image-count curve costs repeats × sizes adaptations and scorings of the whole site: the first row only by default.
    curve: { type: 'string', default: 'first' },
    seed: { type: 'string', default: '1' },
    sensitivity: { type: 'string', default: '0.9' },
    'max-images': { type: 'string', default: '1000' },
    'timing-images': { type: 'string', default: '250' },
    'no-timing': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    // Rewrites the .md from an existing .json (after a wording change) without recomputing anything.
    'markdown-only': { type: 'boolean', default: false },
  },
});

const out = resolve(ROOT, args.out!);
if (args['markdown-only']) {
  writeFileSync(out.replace(/\.json$/, '.md'), markdown(JSON.parse(readFileSync(out, 'utf8'))));
  process.exit(0);
}

// The (model, site) rows to measure; a model folder inside the project is recorded relative to it.
const pairs = [
  ...(args.site || !args.pair ? (args.site ?? ['breast-lesions-usg']).map((site) => ({ dir: args.model!, site })) : []),
  ...(args.pair ?? []).map((p) => {
    const at = p.lastIndexOf('=');
    if (at <= 0) throw new Error(`--pair ${p}: expected MODEL_DIR=SITE`);
    return { dir: p.slice(0, at), site: p.slice(at + 1) };
  }),
].map(({ dir, site }) => {
  siteInfo(site);
  const abs = resolve(dir);
  if (!existsSync(join(abs, 'model.json'))) throw new Error(`${dir}: no model.json`);
  return { abs, dir: relative(ROOT, abs).startsWith('..') ? abs : relative(ROOT, abs), site };
});
const method = args.method as AdaptMethod;
const layerSets = args.layers!.split(',') as AdaptLayers[];
if (!layerSets.every((l) => l === 'all' || l === 'trainable')) throw new Error('--layers: all and/or trainable');
const passes = Number(args.passes);
const batchSize = Number(args['batch-size']);
const seed = Number(args.seed);
const repeats = Number(args.repeats);
const sizes = args.sizes!.split(',').map(Number);
const target = Number(args.sensitivity);
const maxImages = Number(args['max-images']);
const command = ['npx tsx scripts/adapt-eval.ts', ...process.argv.slice(2)].join(' ');
const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), 'adapt-eval-'));
const decoders = await loadNodeDecoders();
const adaptBackend = await useAdaptBackend(args.backend as BackendChoice);
let folders = 0;

/** Adapts `modelDir` on `inputs` into a fresh temp folder (as npm run adapt does) and returns the folder. */
async function adapt(modelDir: string, inputs: Float32Array[], layers: AdaptLayers, backend = adaptBackend): Promise<{ dir: string; seconds: number; cpuSeconds: number }> {
  await useAdaptBackend(backend as BackendChoice);
  const dir = join(tmp, `m${folders++}`);
  const t = performance.now();
  // CPU time of this process (all its threads): unlike wall time, barely affected by other jobs on the machine.
  const cpu = process.cpuUsage();
  await adaptModelDir(modelDir, dir, { inputs, backend, method, passes, batchSize, layers, command: 'scripts/adapt-eval.ts' });
  const used = process.cpuUsage(cpu);
  return { dir, seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Serving-path scores of a model folder on inputs (WASM, batch norm folded, as the API). */
async function score(dir: string, inputs: Float32Array[]): Promise<number[]> {
  await useServingBackend();
  const classifier = await loadServingClassifier(dir);
  const scores: number[] = [];
  for (let i = 0; i < inputs.length; i += 16) scores.push(...classifier.classify(inputs.slice(i, i + 16)));
  classifier.dispose();
  return scores;
}

const pick = <T>(items: T[], idx: number[]) => idx.map((i) => items[i]);
const rows: Record<string, unknown>[] = [];
let timing: Record<string, unknown> | undefined;

for (const [row, { abs, dir: modelDir, site }] of pairs.entries()) {
  const info = siteInfo(site);
  const card = readSourceCard(abs) as { name: string; version: string; threshold?: { value: number } };
  const spec = await modelInputSpec(abs);
  const samples = info.read(join(args.data!, site));
  process.stderr.write(`${card.name} ${card.version} on ${info.name}: ${samples.length} images\n`);
  const inputs = await loadInputs(samples, decoders, spec);
  const labels = samples.map((s) => s.label as number);
  const all = samples.map((_, i) => i);
  // The cap npm run adapt applies by default, the same way (a seeded sample).
  const adaptIdx = all.length > maxImages ? shuffled(all, seededRandom(seed)).slice(0, maxImages) : all;

  const source = await score(abs, inputs);
  // Half the cases (by case/patient group, stratified) choose; the other half reports.
  const split = splitByGroup(samples, { val: 0, test: 0.5 }, seed);
  const index = new Map(samples.map((s, i) => [s.path, i]));
  const fitIdx = split.train.map((s) => index.get(s.path)!);
  const reportIdx = split.test.map((s) => index.get(s.path)!);
  const reportLabels = pick(labels, reportIdx);
  for (const [variant, layers] of layerSets.entries()) {
    const adaptedAll = await adapt(abs, pick(inputs, adaptIdx), layers);
    const adapted = await score(adaptedAll.dir, inputs);

    const adaptedHalf = await adapt(abs, pick(inputs, fitIdx), layers);
    const halfScores = await score(adaptedHalf.dir, inputs);
    const half = (scores: number[]) => ({
      // A bare training output has no card threshold to score.
      ...(card.threshold ? { cardThreshold: operatingPoint(pick(scores, reportIdx), reportLabels, card.threshold.value, seed) } : {}),
      auc: rocAuc(pick(scores, reportIdx), reportLabels),
      ...splitHalf({ scores: pick(scores, fitIdx), labels: pick(labels, fitIdx) }, { scores: pick(scores, reportIdx), labels: reportLabels }, target, seed),
    });

    const withCurve = variant === 0 && (args.curve === 'all' || (args.curve === 'first' && row === 0));
    const curve: Record<string, unknown> = {};
    for (const n of withCurve ? sizes.filter((n) => n < adaptIdx.length) : []) {
      const aucs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const subset = shuffled(all, seededRandom(seed * 1000 + r)).slice(0, n);
        const { dir } = await adapt(abs, pick(inputs, subset), layers);
        aucs.push(rocAuc(await score(dir, inputs), labels));
        rmSync(dir, { recursive: true });
      }
      curve[String(n)] = spread(aucs);
      process.stderr.write(`  ${n} images: AUC ${aucs.map((a) => a.toFixed(3)).join(' ')}\n`);
    }
    curve.all = { images: adaptIdx.length, auc: rocAuc(adapted, labels) };

    if (!timing && !args['no-timing']) {
      // Forward passes and writing the folder; decoding is timed apart (the same for every backend).
      const n = Math.min(Number(args['timing-images']), samples.length);
      const loadAverage = loadavg()[0];
      const t = performance.now();
      const timingInputs = await loadInputs(samples.slice(0, n), decoders, spec);
      const decodeSeconds = (performance.now() - t) / 1000;
      const backends: Record<string, number> = {};
      const cpuSeconds: Record<string, number> = {};
      for (const b of ['tensorflow', 'wasm']) {
        try {
          const run = await adapt(abs, timingInputs, layers, b);
          backends[b] = run.seconds;
          cpuSeconds[b] = run.cpuSeconds;
          rmSync(run.dir, { recursive: true });
        } catch (err) {
          process.stderr.write(`  timing on ${b} skipped: ${String(err).slice(0, 80)}\n`);
        }
      }
      timing = { model: modelDir, site, images: n, method, passes, layers, batchSize, loadAverageAtStart: loadAverage, loadAverageAtEnd: loadavg()[0], decodeSeconds, adaptSeconds: backends, adaptCpuSeconds: cpuSeconds };
    }

    rows.push({
      model: { dir: modelDir, name: card.name, version: card.version, ...(card.threshold ? { threshold: card.threshold.value } : {}) },
      site,
      name: info.name,
      adaptation: { method, passes: method === 'one-pass' ? passes : undefined, batchSize, layers },
      command,
      createdAt: new Date().toISOString(),
      images: samples.length,
      malignant: labels.filter((l) => l === 1).length,
      adaptedOn: adaptIdx.length,
      auc: pairedAuc(source, adapted, labels, { seed }),
      splitHalf: {
        protocol: `stratified by label, grouped by case/patient, 50/50, seed ${seed}: threshold (sensitivity ≥ ${target}, midpoint) and Platt calibration fitted on the fit half's labels, scored on the report half; the adapted model here saw only the fit half's images`,
        fit: { images: fitIdx.length, malignant: pick(labels, fitIdx).filter((l) => l === 1).length },
        report: { images: reportIdx.length, malignant: reportLabels.filter((l) => l === 1).length },
        source: half(source),
        adapted: half(halfScores),
      },
      ...(withCurve ? { curve } : {}),
    });
    rmSync(adaptedAll.dir, { recursive: true });
    rmSync(adaptedHalf.dir, { recursive: true });
  }
}
rmSync(tmp, { recursive: true, force: true });

// deno-lint-ignore no-explicit-any
const previous: any = args.append && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
// deno-lint-ignore no-explicit-any
const key = (r: any) => `${r.model.dir}→${r.site}→${r.adaptation?.layers ?? 'all'}`;
const fresh = new Set(rows.map(key));
const output = {
  command,
  createdAt: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', tfjs: tf.version_core },
  adaptation: { method, passes: method === 'one-pass' ? passes : undefined, batchSize, layers: layerSets, backend: adaptBackend },
  targetSensitivity: target,
  repeats,
  // deno-lint-ignore no-explicit-any
  rows: [...(previous?.rows ?? []).filter((r: any) => !fresh.has(key(r))), ...rows],
  timing: timing ?? previous?.timing,
  runtimeSeconds: (Date.now() - started) / 1000,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(output, null, 2) + '\n');
writeFileSync(out.replace(/\.json$/, '.md'), markdown(output));
process.stdout.write(`wrote ${out} and ${out.replace(/\.json$/, '.md')} in ${output.runtimeSeconds.toFixed(0)} s\n`);
