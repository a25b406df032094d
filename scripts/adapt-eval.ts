/**
 * Measures site adaptation (docs/adapt.md) for one model on held-out sites and writes train/results/adapt.json and
 * train/results/adapt.md (the table docs/adapt.md includes; `npm run docs` copies it in):
 *   npx tsx scripts/adapt-eval.ts [--model static/model] [--site breast-lesions-usg] [--site bus-bra] [--data DIR]
 *                                 [--out train/results/adapt.json] [--repeats 5] [--sizes 25,50,100] [--seed 1]
 *                                 [--curve-site SITE (default: the first --site)] [--markdown-only]
 * Per site: AUC of the model vs the same model adapted on all the site's images without labels (paired bootstrap);
 * a threshold (sensitivity ≥ 0.9) and Platt calibration chosen on one half of the site (split by case/patient,
 * seeded) and scored on the other half, for the source and for the model adapted on the first half's images only;
 * AUC after adapting on 25/50/100 random images (repeats) vs all; and adaptation time for 250 images per backend.
 * Every score comes from the serving path (decode → toModelInput → Classifier on WASM). Only use a site the model
 * was not trained on. Re-run on each new model (for leave-one-site-out models: --site the held-out site).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadNodeDecoders } from '../src/runtime/node-wasm.ts';
import { adaptModelDir, modelInputSpec } from '../train/adapt/adapt-dir.ts';
import { type BackendChoice, useAdaptBackend } from '../train/adapt/backend.ts';
import { operatingPoint, pairedAuc, splitHalf, spread } from '../train/adapt/site-eval.ts';
import { DEFAULT_DATA, ROOT } from '../train/args.ts';
import { readBusBra } from '../train/data/busbra.ts';
import { readBusi } from '../train/data/busi.ts';
import { readBreastLesions } from '../train/data/external.ts';
import { loadInputs } from '../train/data/load.ts';
import type { Sample } from '../train/data/sample.ts';
import { rocAuc } from '../train/eval/metrics.ts';
import { loadServingClassifier, useServingBackend } from '../train/eval/serving.ts';
import { seededRandom, shuffled } from '../train/random.ts';
import { splitByGroup } from '../train/split.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'static/model' },
    data: { type: 'string', default: DEFAULT_DATA },
    site: { type: 'string', multiple: true },
    out: { type: 'string', default: 'train/results/adapt.json' },
    repeats: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '25,50,100' },
    // The image-count curve costs repeats × sizes adaptations: by default on the first site only.
    'curve-site': { type: 'string', multiple: true },
    seed: { type: 'string', default: '1' },
    sensitivity: { type: 'string', default: '0.9' },
    'max-images': { type: 'string', default: '1000' },
    'timing-images': { type: 'string', default: '250' },
    backend: { type: 'string', default: 'auto' },
    // Rewrites the .md from an existing .json (after a wording change) without recomputing anything.
    'markdown-only': { type: 'boolean', default: false },
  },
});

if (args['markdown-only']) {
  const json = resolve(ROOT, args.out!);
  writeFileSync(json.replace(/\.json$/, '.md'), markdown(JSON.parse(readFileSync(json, 'utf8'))));
  process.exit(0);
}

const SITES: Record<string, { name: string; read: (root: string) => Sample[] }> = {
  'breast-lesions-usg': { name: 'BrEaST (Poland)', read: readBreastLesions },
  'bus-bra': { name: 'BUS-BRA (Brazil)', read: readBusBra },
  busi: { name: 'BUSI (Egypt)', read: (root) => readBusi(root, { includeNormal: false }) },
};

const modelDir = resolve(args.model!);
const sites = args.site ?? ['breast-lesions-usg', 'bus-bra'];
const curveSites = args['curve-site'] ?? [sites[0]];
const seed = Number(args.seed);
const repeats = Number(args.repeats);
const sizes = args.sizes!.split(',').map(Number);
const target = Number(args.sensitivity);
const maxImages = Number(args['max-images']);
const started = Date.now();
const load = loadavg()[0];
const card = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'adapt-eval-'));
const decoders = await loadNodeDecoders();
const adaptBackend = await useAdaptBackend(args.backend as BackendChoice);
const spec = await modelInputSpec(modelDir);
let folders = 0;

/** Adapts the model on `inputs` into a fresh temp folder (as npm run adapt does) and returns the folder. */
async function adapt(inputs: Float32Array[], backend = adaptBackend): Promise<{ dir: string; seconds: number }> {
  await useAdaptBackend(backend as BackendChoice);
  const dir = join(tmp, `m${folders++}`);
  const t = performance.now();
  await adaptModelDir(modelDir, dir, { inputs, backend, command: 'scripts/adapt-eval.ts' });
  return { dir, seconds: (performance.now() - t) / 1000 };
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
const results: Record<string, unknown> = {};
let timing: Record<string, unknown> | undefined;

for (const site of sites) {
  const info = SITES[site];
  if (!info) throw new Error(`unknown site ${site} (known: ${Object.keys(SITES).join(', ')})`);
  const samples = info.read(join(args.data!, site));
  process.stderr.write(`${info.name}: ${samples.length} images\n`);
  const inputs = await loadInputs(samples, decoders, spec);
  const labels = samples.map((s) => s.label as number);
  const all = samples.map((_, i) => i);
  // The cap npm run adapt applies by default, the same way (a seeded sample).
  const adaptIdx = all.length > maxImages ? shuffled(all, seededRandom(seed)).slice(0, maxImages) : all;

  const source = await score(modelDir, inputs);
  const adaptedAll = await adapt(pick(inputs, adaptIdx));
  const adapted = await score(adaptedAll.dir, inputs);

  // Half the cases (by case/patient group, stratified) choose; the other half reports.
  const split = splitByGroup(samples, { val: 0, test: 0.5 }, seed);
  const index = new Map(samples.map((s, i) => [s.path, i]));
  const fitIdx = split.train.map((s) => index.get(s.path)!);
  const reportIdx = split.test.map((s) => index.get(s.path)!);
  const adaptedHalf = await adapt(pick(inputs, fitIdx));
  const halfScores = await score(adaptedHalf.dir, inputs);
  const half = (scores: number[]) => splitHalf(
    { scores: pick(scores, fitIdx), labels: pick(labels, fitIdx) },
    { scores: pick(scores, reportIdx), labels: pick(labels, reportIdx) },
    target,
    seed,
  );
  const reportLabels = pick(labels, reportIdx);

  const curve: Record<string, unknown> = {};
  for (const n of curveSites.includes(site) ? sizes.filter((n) => n < adaptIdx.length) : []) {
    const aucs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const subset = shuffled(all, seededRandom(seed * 1000 + r)).slice(0, n);
      const { dir } = await adapt(pick(inputs, subset));
      aucs.push(rocAuc(await score(dir, inputs), labels));
      rmSync(dir, { recursive: true });
    }
    curve[String(n)] = spread(aucs);
    process.stderr.write(`  ${n} images: AUC ${aucs.map((a) => a.toFixed(3)).join(' ')}\n`);
  }
  curve.all = { images: adaptIdx.length, auc: rocAuc(adapted, labels) };

  if (!timing) {
    // Forward passes only; decoding is timed apart (it is the same for every backend).
    const n = Math.min(Number(args['timing-images']), samples.length);
    const t = performance.now();
    const timingInputs = await loadInputs(samples.slice(0, n), decoders, spec);
    const decodeSeconds = (performance.now() - t) / 1000;
    const backends: Record<string, number> = {};
    for (const b of ['tensorflow', 'wasm']) {
      try {
        backends[b] = (await adapt(timingInputs, b)).seconds;
      } catch (err) {
        process.stderr.write(`  timing on ${b} skipped: ${String(err).slice(0, 80)}\n`);
      }
    }
    timing = { site, images: n, decodeSeconds, adaptSeconds: backends };
  }

  results[site] = {
    name: info.name,
    images: samples.length,
    malignant: labels.filter((l) => l === 1).length,
    adaptedOn: adaptIdx.length,
    auc: pairedAuc(source, adapted, labels, { seed }),
    splitHalf: {
      protocol: `stratified by label, grouped by case/patient, 50/50, seed ${seed}: threshold (sensitivity ≥ ${target}, midpoint) and Platt calibration fitted on the fit half's labels, scored on the report half; the adapted model here saw only the fit half's images`,
      fit: { images: fitIdx.length, malignant: pick(labels, fitIdx).filter((l) => l === 1).length },
      report: { images: reportIdx.length, malignant: reportLabels.filter((l) => l === 1).length },
      source: {
        cardThreshold: operatingPoint(pick(source, reportIdx), reportLabels, card.threshold.value, seed),
        auc: rocAuc(pick(source, reportIdx), reportLabels),
        ...half(source),
      },
      adapted: {
        cardThreshold: operatingPoint(pick(halfScores, reportIdx), reportLabels, card.threshold.value, seed),
        auc: rocAuc(pick(halfScores, reportIdx), reportLabels),
        ...half(halfScores),
      },
    },
    ...(curveSites.includes(site) ? { curve } : {}),
  };
  rmSync(adaptedAll.dir, { recursive: true });
  rmSync(adaptedHalf.dir, { recursive: true });
}
rmSync(tmp, { recursive: true, force: true });

const output = {
  command: ['npx tsx scripts/adapt-eval.ts', ...process.argv.slice(2)].join(' '),
  createdAt: new Date().toISOString(),
  model: { name: card.name, version: card.version, dir: args.model, threshold: card.threshold.value },
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverageAtStart: load, tfjs: tf.version_core },
  adaptBackend,
  targetSensitivity: target,
  repeats,
  sites: results,
  timing,
  runtimeSeconds: (Date.now() - started) / 1000,
};
const out = resolve(ROOT, args.out!);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(output, null, 2) + '\n');
writeFileSync(out.replace(/\.json$/, '.md'), markdown(output));
process.stdout.write(`wrote ${out} and ${out.replace(/\.json$/, '.md')} in ${output.runtimeSeconds.toFixed(0)} s\n`);

/** The tables docs/adapt.md includes, from the JSON above only. */
function markdown(o: typeof output): string {
  const f = (v: number) => v.toFixed(3);
  const ci = (c: [number, number]) => `${f(c[0])}–${f(c[1])}`;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const pctCi = (c: [number, number]) => `${(100 * c[0]).toFixed(0)}–${(100 * c[1]).toFixed(0)}%`;
  // deno-lint-ignore no-explicit-any
  const s = o.sites as Record<string, any>;
  const withCurve = Object.values(s).filter((r) => r.curve);
  const lines = [
    `Model ${o.model.name} ${o.model.version}; \`${o.command}\` (${o.createdAt.slice(0, 10)}). Intervals: 95% bootstrap.`,
    '',
    '| Site | Images (malignant) | AUC, source model | AUC adapted without labels (on N images) | Difference (paired) |',
    '|---|---|---|---|---|',
    ...Object.values(s).map((r) => `| ${r.name} | ${r.images} (${r.malignant}) | ${f(r.auc.before.auc)} (${ci(r.auc.before.aucCi95)}) | ${f(r.auc.after.auc)} (${ci(r.auc.after.aucCi95)}; N = ${r.adaptedOn}) | ${r.auc.difference.auc >= 0 ? '+' : ''}${f(r.auc.difference.auc)} (${ci(r.auc.difference.ci95)}) |`),
    '',
    `Half of each site's cases choose the threshold (sensitivity ≥ ${o.targetSensitivity}) and calibration; the other half reports:`,
    '',
    '| Site | Model | Threshold | Sensitivity | Specificity | ECE raw → calibrated |',
    '|---|---|---|---|---|---|',
    ...Object.values(s).flatMap((r) => ['source', 'adapted'].flatMap((m) => {
      const h = r.splitHalf[m];
      const row = (label: string, p: { threshold: number; sensitivity: number; sensitivityCi95: [number, number]; specificity: number; specificityCi95: [number, number] }, ece: string) =>
        `| ${r.name} (report half: ${r.splitHalf.report.images}, ${r.splitHalf.report.malignant} malignant) | ${m === 'source' ? 'source' : 'adapted on the fit half'}, ${label} | ${f(p.threshold)} | ${pct(p.sensitivity)} (${pctCi(p.sensitivityCi95)}) | ${pct(p.specificity)} (${pctCi(p.specificityCi95)}) | ${ece} |`;
      return [
        row('card threshold', h.cardThreshold, '—'),
        row('local threshold', h.localThreshold, `${f(h.calibration.eceRaw)} → ${f(h.calibration.eceCalibrated)}`),
      ];
    })),
    '',
    `AUC on all of the site's images after adapting on a few random ones (${o.repeats} draws each: mean, min–max):`,
    '',
    `| Site | ${[...new Set(withCurve.flatMap((r) => Object.keys(r.curve).filter((k) => k !== 'all')))].join(' | ')} | all | source |`,
    `|---|${Object.keys(withCurve[0]?.curve ?? {}).map(() => '---|').join('')}---|`,
    ...withCurve.map((r) => `| ${r.name} | ${Object.entries(r.curve).filter(([k]) => k !== 'all').map(([, c]: [string, any]) => `${f(c.mean)} (${f(c.min)}–${f(c.max)})`).join(' | ')} | ${f(r.curve.all.auc)} (${r.curve.all.images}) | ${f(r.auc.before.auc)} |`),
    '',
  ];
  if (o.timing) {
    // deno-lint-ignore no-explicit-any
    const t = o.timing as any;
    lines.push(
      `Adaptation time for ${t.images} images on ${o.machine.cores} cores (${o.machine.cpu}; load average ${o.machine.loadAverageAtStart.toFixed(1)} at the start: with other jobs on the machine these are upper bounds): ` +
        Object.entries(t.adaptSeconds as Record<string, number>).map(([b, sec]) => `${b === 'tensorflow' ? 'tfjs-node' : 'WASM'} ${sec.toFixed(1)} s`).join(', ') +
        ` for the forward passes and writing the folder, plus ${t.decodeSeconds.toFixed(1)} s to decode and preprocess the images.`,
      '',
    );
  }
  return lines.join('\n');
}
