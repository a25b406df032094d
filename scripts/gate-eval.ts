/**
 * Measures the input gate through the serving path (Predictor.predictMany with check=off, so every image gets its
 * inputCheck) and writes train/results/gate.json, from which docs/gate.md takes its numbers:
 *  - ultrasound that should pass: each training site's held-out `test` images and the `val` images of the model's
 *    split.json, BrEaST (external, never used to fit or set anything), and shared ultrasound the model never
 *    trained on (BUSI `normal` frames, BUS-BRA when not in the split);
 *  - synthetic non-ultrasound that should be flagged (train/gate/negatives.ts), per kind, as PNG and as JPEG;
 *  - Doppler-like colour overlays drawn on the validation images (reported, not targeted);
 *  - BrEaST in box mode (the gate then scores the crop the model reads; its lesion boxes from labels.csv).
 * Also writes the tables docs/gate.md includes (train/results/gate.md).
 * Run: npx tsx scripts/gate-eval.ts [--model static/model] [--data ../shared/data] [--per-kind 16] [--out FILE]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiError } from '../src/errors.ts';
import { Gate } from '../src/gate/gate.ts';
import { measureImage } from '../src/gate/measure.ts';
import { imageStats } from '../src/gate/stats.ts';
import { decodeImage } from '../src/image/decode.ts';
import { imageToModelInput } from '../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import type { Roi } from '../src/image/roi.ts';
import { createPredictor } from '../src/create-predictor.ts';
import type { Prediction } from '../src/predictor.ts';
import { loadNodeDecoders } from '../src/runtime/node-wasm.ts';
import { readCsv } from '../train/data/csv.ts';
import { encodeJpeg, encodePng } from '../train/gate/encode.ts';
import { readModelFiles } from '../train/gate/model-files.ts';
import { dopplerOverlay, NEGATIVE_KINDS, negativeSet } from '../train/gate/negatives.ts';
import { SITE_FOLDERS } from '../train/data/sites.ts';
import { readSplitPart } from '../train/gate/split-images.ts';
import { useServingBackend } from '../train/eval/serving.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(ROOT, 'static/model') },
    data: { type: 'string', default: process.env.DATA_DIR ?? resolve(ROOT, '../shared/data') },
    'per-kind': { type: 'string', default: '16' },
    out: { type: 'string', default: join(ROOT, 'train/results/gate.json') },
  },
});
const modelDir = resolve(args.model!);
const dataRoot = resolve(args.data!);
const gatePath = join(modelDir, 'gate.json');
if (!existsSync(gatePath)) throw new Error(`${gatePath} is missing: run npx tsx train/commands/fit-gate.ts --model ${args.model}`);

await useServingBackend();
const decoders = await loadNodeDecoders();
const { artifacts, card } = readModelFiles(modelDir);
const gateJson = JSON.parse(readFileSync(gatePath, 'utf8'));
const predictor = await createPredictor(artifacts, card, decoders, undefined, gateJson);
if (!predictor.gate) throw new Error(`${gatePath} was fitted on another model: re-run fit-gate first`);
const gate: Gate = predictor.gate;

interface Scored {
  ultrasoundLike: number;
  flagged: boolean;
  zFeatures: number;
  zImage: number;
  gateMs: number;
}

/** One image through the API's path (check off), plus which piece of evidence spoke (whole-image mode only). */
async function score(bytes: Uint8Array, roi?: Roi): Promise<Scored> {
  const [outcome] = await predictor.predictMany([bytes], DEFAULT_IMAGE_LIMITS, false, Infinity, [roi], false);
  if (outcome instanceof ApiError) throw outcome;
  const { inputCheck, timings } = outcome as Prediction;
  if (roi) return { ...inputCheck!, zFeatures: NaN, zImage: NaN, gateMs: timings.gate ?? 0 };
  const m = await measureImage(bytes, decoders, predictor.classifier, DEFAULT_IMAGE_LIMITS);
  const e = gate.evidence(m.features, m.stats);
  return { ...inputCheck!, zFeatures: e.features, zImage: e.image, gateMs: timings.gate ?? 0 };
}

/** Summary of a set: how many flagged, and which evidence crossed the threshold (`label` for the tables). */
function summarise(scores: Scored[], label = '') {
  const t = gate.json.combine.zThreshold;
  const flagged = scores.filter((s) => s.flagged).length;
  const sorted = scores.map((s) => s.ultrasoundLike).sort((a, b) => a - b);
  return {
    label,
    n: scores.length,
    flagged,
    flaggedFraction: round(flagged / Math.max(1, scores.length)),
    // (Not split by evidence in box mode.)
    byFeatures: scores.some((s) => Number.isNaN(s.zFeatures)) ? '–' : scores.filter((s) => s.zFeatures > t).length,
    byImageStats: scores.some((s) => Number.isNaN(s.zImage)) ? '–' : scores.filter((s) => s.zImage > t).length,
    medianUltrasoundLike: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
const readBytes = (path: string) => new Uint8Array(readFileSync(path));
const allGateMs: number[] = [];
async function scoreFiles(paths: string[], label: string) {
  const scores: Scored[] = [];
  for (const p of paths) scores.push(await score(readBytes(p)));
  allGateMs.push(...scores.map((s) => s.gateMs));
  return summarise(scores, label);
}

const started = performance.now();
const ultrasound: Record<string, ReturnType<typeof summarise>> = {};
for (const part of ['test', 'val']) {
  const images = readSplitPart(modelDir, dataRoot, part);
  for (const site of [...new Set(images.map((i) => i.site))]) {
    // Keys are plain identifiers, so docs/gate.md can quote them (scripts/docs-numbers.ts).
    const label = `${site} ${part === 'test' ? 'held-out test' : 'validation (set the threshold)'}`;
    ultrasound[`${site}-${part}`] = await scoreFiles(images.filter((i) => i.site === site).map((i) => i.path), label);
  }
}
const inSplit = new Set(['train', 'val', 'test'].flatMap((part) => readSplitPart(modelDir, dataRoot, part)).map((i) => i.path));
const breastRows = readCsv(join(dataRoot, 'breast-lesions-usg/labels.csv'));
ultrasound.breast = await scoreFiles(breastRows.map((r) => join(dataRoot, 'breast-lesions-usg', r.file)), 'BrEaST (external, Poland)');
const boxScores: Scored[] = [];
for (const r of breastRows) {
  const [x, y, width, height] = JSON.parse(r.bbox_xywh) as number[];
  boxScores.push(await score(readBytes(join(dataRoot, 'breast-lesions-usg', r.file)), { x, y, width, height }));
}
const boxMode = { ...summarise(boxScores, 'BrEaST in box mode (its lesion boxes)'), source: 'BrEaST with its lesion boxes (labels.csv bbox_xywh), POST /predict box mode' };
const busi = readCsv(join(dataRoot, 'busi/manifest.csv'));
ultrasound.busiNormal = await scoreFiles(
  busi.filter((r) => r.label === 'normal').map((r) => join(dataRoot, 'busi', r.file)).filter((p) => !inSplit.has(p)),
  'BUSI normal (no lesion; not in the split)',
);
const busbraDir = join(dataRoot, SITE_FOLDERS.busbra);
if (existsSync(join(busbraDir, 'manifest.csv'))) {
  const unseen = readCsv(join(busbraDir, 'manifest.csv')).map((r) => join(busbraDir, r.file)).filter((p) => !inSplit.has(p));
  if (unseen.length) ultrasound.busbraUnseen = await scoreFiles(unseen, 'BUS-BRA images not in the split (unseen site)');
}

const negatives = negativeSet(Number(args['per-kind']));
const synthetic: Record<string, ReturnType<typeof summarise>> = {};
const syntheticAll: Scored[] = [];
const missed: { name: string; format: string; ultrasoundLike: number }[] = [];
for (const format of ['png', 'jpeg'] as const) {
  for (const kind of NEGATIVE_KINDS) {
    const scores: Scored[] = [];
    for (const n of negatives.filter((n) => n.kind === kind)) {
      const s = await score(format === 'png' ? await encodePng(n.raster) : await encodeJpeg(n.raster, 85));
      scores.push(s);
      if (!s.flagged) missed.push({ name: n.name, format, ultrasoundLike: s.ultrasoundLike });
    }
    synthetic[`${kind}-${format}`] = summarise(scores, `synthetic ${kind} (${format.toUpperCase()})`);
    syntheticAll.push(...scores);
  }
}
const hard = syntheticAll.filter((_, i) => negatives[i % negatives.length].kind === 'grayPhoto');

const valImages = readSplitPart(modelDir, dataRoot, 'val');
const doppler = await Promise.all(valImages.map(async (img, i) => {
  const raster = await decodeImage(readBytes(img.path), decoders, { limits: DEFAULT_IMAGE_LIMITS });
  return score(await encodePng(dopplerOverlay(raster, 100 + i)));
}));

// The gate's cost on a shared, busy machine: each operation is repeated and its fastest run kept (what it costs
// when not pre-empted), then the median over images. The forward pass with and without the `gap` tap alternate.
const spec = predictor.classifier.inputSpec;
const costImages = await Promise.all(valImages.slice(0, 30).map(async (img) => {
  const { raster, input } = await imageToModelInput(readBytes(img.path), decoders, spec, DEFAULT_IMAGE_LIMITS);
  return { raster, input, features: predictor.classifier.classifyWithFeatures([input]).features![0] };
}));
const fastest = (f: () => unknown, reps = 15) => {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const gateMs = median(costImages.map((c) => fastest(() => gate.check(c.features, imageStats(c.raster, c.input, spec)))));
const forwardMs = median(costImages.map((c) => fastest(() => predictor.classifier.classify([c.input]))));
const forwardWithFeaturesMs = median(costImages.map((c) => fastest(() => predictor.classifier.classifyWithFeatures([c.input]))));
const gateMsSorted = allGateMs.sort((a, b) => a - b);

const result = {
  command: `npx tsx scripts/gate-eval.ts --model ${args.model}`,
  createdAt: new Date().toISOString(),
  model: gate.json.model,
  gateJsonBytes: readFileSync(gatePath).length,
  gate: { combine: gate.json.combine, calibration: gate.json.calibration },
  ultrasound,
  synthetic,
  syntheticOverall: {
    ...summarise(syntheticAll, '**all synthetic non-ultrasound**'),
    excludingGrayPhotos: summarise(syntheticAll.filter((_, i) => negatives[i % negatives.length].kind !== 'grayPhoto'), 'synthetic without gray 1/f textures'),
    grayPhotos: summarise(hard, 'synthetic gray 1/f textures'),
    perKind: Number(args['per-kind']),
    missed,
  },
  doppler: { ...summarise(doppler, 'Doppler-like colour box on validation scans'), source: 'validation images with a Doppler-like colour box (train/gate/negatives.ts)' },
  boxMode,
  cost: {
    gateMs: round(gateMs),
    servedGateMsMedian: round(gateMsSorted[Math.floor(gateMsSorted.length / 2)]),
    forwardMs: round(forwardMs),
    forwardWithFeaturesMs: round(forwardWithFeaturesMs),
    note: 'gateMs: image statistics + both distances, fastest of 15 runs, median over 30 validation images; ' +
      'servedGateMsMedian: timings.gate over every scored image (includes pre-emption on a busy machine); ' +
      'forward: classify() vs classifyWithFeatures(), one image, fastest of 15, median over the same images (WASM on Node)',
  },
  seconds: Math.round((performance.now() - started) / 1000),
};
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(result, null, 2) + '\n');
const tableOut = args.out!.replace(/\.json$/, '.md');
writeFileSync(tableOut, markdown(result));
console.log(JSON.stringify({ ultrasound, synthetic: result.syntheticOverall, doppler: result.doppler, boxMode, cost: result.cost }, null, 1));
console.log(`wrote ${args.out} and ${tableOut}`);

/** The two tables docs/gate.md includes (scripts/docs-numbers.ts, table:include). */
function markdown(r: typeof result): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const row = (s: ReturnType<typeof summarise>) =>
    `| ${s.label} | ${s.n} | ${s.flagged} | ${pct(s.flaggedFraction)} | ${s.medianUltrasoundLike} | ${s.byFeatures} | ${s.byImageStats} |`;
  const head = '| n | flagged | flagged % | median ultrasoundLike | by features | by image stats |';
  return [
    `| ultrasound (should pass) ${head}`,
    '|---|---|---|---|---|---|---|',
    ...Object.values(r.ultrasound).map(row),
    row(r.boxMode),
    '',
    `| not B-mode ultrasound (should be flagged) ${head}`,
    '|---|---|---|---|---|---|---|',
    ...Object.values(r.synthetic).map(row),
    row(r.syntheticOverall),
    row(r.doppler),
  ].join('\n');
}
