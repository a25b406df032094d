/**
 * Measures the input gate through the serving path (Predictor.predictMany with check=off, so every image gets its
 * inputCheck) and writes train/results/gate.json, from which docs/gate.md takes its numbers:
 *  - ultrasound that should pass: each training site's held-out `test` images and the `val` images of the model's
 *    split.json, BrEaST (external, never used to fit or set anything), and shared ultrasound the model never
 *    trained on (BUSI `normal` frames, BUS-BRA when not in the split);
 *  - synthetic non-ultrasound that should be flagged (train/gate/negatives.ts), per kind, as PNG and as JPEG;
 *  - Doppler-like colour overlays drawn on the validation images (reported, not targeted).
 * Run: npx tsx scripts/gate-eval.ts [--model static/model] [--data ../shared/data] [--per-kind 16] [--out FILE]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiError } from '../src/errors.ts';
import { Gate } from '../src/gate/gate.ts';
import { measureImage } from '../src/gate/measure.ts';
import { decodeImage } from '../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
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

/** One image through the API's path (check off), plus which piece of evidence spoke. */
async function score(bytes: Uint8Array): Promise<Scored> {
  const [outcome] = await predictor.predictMany([bytes], DEFAULT_IMAGE_LIMITS, false, Infinity, [], false);
  if (outcome instanceof ApiError) throw outcome;
  const { inputCheck, timings } = outcome as Prediction;
  const m = await measureImage(bytes, decoders, predictor.classifier, DEFAULT_IMAGE_LIMITS);
  const e = gate.evidence(m.features, m.stats);
  return { ...inputCheck!, zFeatures: e.features, zImage: e.image, gateMs: timings.gate ?? 0 };
}

/** Summary of a set: how many flagged, and which evidence crossed the threshold. */
function summarise(scores: Scored[]) {
  const t = gate.json.combine.zThreshold;
  const flagged = scores.filter((s) => s.flagged).length;
  const sorted = scores.map((s) => s.ultrasoundLike).sort((a, b) => a - b);
  return {
    n: scores.length,
    flagged,
    flaggedFraction: round(flagged / Math.max(1, scores.length)),
    byFeatures: scores.filter((s) => s.zFeatures > t).length,
    byImageStats: scores.filter((s) => s.zImage > t).length,
    medianUltrasoundLike: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
const readBytes = (path: string) => new Uint8Array(readFileSync(path));
const allGateMs: number[] = [];
async function scoreFiles(paths: string[]) {
  const scores: Scored[] = [];
  for (const p of paths) scores.push(await score(readBytes(p)));
  allGateMs.push(...scores.map((s) => s.gateMs));
  return summarise(scores);
}

const started = performance.now();
const ultrasound: Record<string, ReturnType<typeof summarise>> = {};
for (const part of ['test', 'val']) {
  const images = readSplitPart(modelDir, dataRoot, part);
  for (const site of [...new Set(images.map((i) => i.site))]) {
    ultrasound[`${site} ${part}`] = await scoreFiles(images.filter((i) => i.site === site).map((i) => i.path));
  }
}
const inSplit = new Set(['train', 'val', 'test'].flatMap((part) => readSplitPart(modelDir, dataRoot, part)).map((i) => i.path));
const breast = readCsv(join(dataRoot, 'breast-lesions-usg/labels.csv')).map((r) => join(dataRoot, 'breast-lesions-usg', r.file));
ultrasound['BrEaST (external)'] = await scoreFiles(breast);
const busi = readCsv(join(dataRoot, 'busi/manifest.csv'));
ultrasound['BUSI normal (no lesion, never trained on)'] = await scoreFiles(
  busi.filter((r) => r.label === 'normal').map((r) => join(dataRoot, 'busi', r.file)).filter((p) => !inSplit.has(p)),
);
const busbraDir = join(dataRoot, SITE_FOLDERS.busbra);
if (existsSync(join(busbraDir, 'manifest.csv'))) {
  const unseen = readCsv(join(busbraDir, 'manifest.csv')).map((r) => join(busbraDir, r.file)).filter((p) => !inSplit.has(p));
  if (unseen.length) ultrasound['BUS-BRA images not in the split'] = await scoreFiles(unseen);
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
    synthetic[`${kind} ${format}`] = summarise(scores);
    syntheticAll.push(...scores);
  }
}
const hard = syntheticAll.filter((_, i) => negatives[i % negatives.length].kind === 'grayPhoto');

const valImages = readSplitPart(modelDir, dataRoot, 'val');
const doppler = await Promise.all(valImages.map(async (img, i) => {
  const raster = await decodeImage(readBytes(img.path), decoders, { limits: DEFAULT_IMAGE_LIMITS });
  return score(await encodePng(dopplerOverlay(raster, 100 + i)));
}));

// The gate's cost: image statistics + distances per image, and the forward pass with and without the tap.
const input = new Float32Array(predictor.classifier.inputSpec.height * predictor.classifier.inputSpec.width * predictor.classifier.inputSpec.channels).fill(0.3);
const time = (f: () => unknown, n = 200) => {
  for (let i = 0; i < 10; i++) f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t) / n;
};
const forwardMs = time(() => predictor.classifier.classify([input]));
const forwardWithFeaturesMs = time(() => predictor.classifier.classifyWithFeatures([input]));
const gateMsSorted = allGateMs.sort((a, b) => a - b);

const result = {
  command: `npx tsx scripts/gate-eval.ts --model ${args.model}`,
  createdAt: new Date().toISOString(),
  model: gate.json.model,
  gate: { combine: gate.json.combine, calibration: gate.json.calibration },
  ultrasound,
  synthetic,
  syntheticOverall: {
    ...summarise(syntheticAll),
    excludingGrayPhotos: summarise(syntheticAll.filter((_, i) => negatives[i % negatives.length].kind !== 'grayPhoto')),
    grayPhotos: summarise(hard),
    perKind: Number(args['per-kind']),
    missed,
  },
  doppler: { ...summarise(doppler), source: 'validation images with a Doppler-like colour box (train/gate/negatives.ts)' },
  cost: {
    gateMsMedian: round(gateMsSorted[Math.floor(gateMsSorted.length / 2)]),
    gateMsP95: round(gateMsSorted[Math.floor(gateMsSorted.length * 0.95)]),
    forwardMs: round(forwardMs),
    forwardWithFeaturesMs: round(forwardWithFeaturesMs),
    note: 'gateMs = image statistics + both distances per image (timings.gate); forward = classify() vs classifyWithFeatures() on one input, WASM backend on Node',
  },
  seconds: Math.round((performance.now() - started) / 1000),
};
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ ultrasound, synthetic: result.syntheticOverall, doppler: result.doppler, cost: result.cost }, null, 1));
console.log(`wrote ${args.out}`);
