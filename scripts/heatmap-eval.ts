/**
 * Do the served heatmaps point at the lesion, or at burned-in calipers and text? On BUSI images with expert
 * lesion masks (by default the model's held-out test split from <model>/split.json) it runs the real serving
 * path (Predictor.predictMany with explain) and reports, with bootstrap 95% intervals and chance levels
 * (train/eval/heatmap.ts): the pointing game, heatmap mass on the lesion and mass in the border strips,
 * for both served sides of the class activation map (evidence for and against malignancy), the side the page
 * shows first, and a centre-prior baseline map that knows nothing about the image. Then it blanks the border
 * strips and reports how much the answers change (train/eval/border-occlusion.ts).
 *
 * Run: deno run --allow-read --allow-env --allow-write=test-output scripts/heatmap-eval.ts
 *        [--model-dir static/model] [--split test|val|train|all] [--border 0.1] [--json test-output/heatmap-eval.json]
 */
import { bootstrapCi, rocAuc } from '../train/eval/metrics.ts';
import { readCsv } from '../train/data/csv.ts';
import { createPredictor } from '../src/create-predictor.ts';
import { readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { borderOcclusion } from '../train/eval/border-occlusion.ts';
import type { HeatmapScores } from '../train/eval/heatmap.ts';
import { type ImageScores, type MapName, MAPS, type MaskedImage, scoreImages } from '../train/eval/score-images.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
};
const modelDir = arg('model-dir', `${ROOT}static/model`);
const wantedSplit = arg('split', 'test');
const border = Number(arg('border', '0.1'));
const jsonOut = arg('json', `${ROOT}test-output/heatmap-eval.json`);
const DATA_DIR = Deno.env.get('DATA_DIR') ?? `${ROOT}../shared/data`;

try {
  Deno.statSync(`${DATA_DIR}/busi/manifest.csv`);
} catch {
  console.error(`No BUSI data at ${DATA_DIR}/busi (set DATA_DIR); nothing to evaluate.`);
  Deno.exit(2);
}

const manifest = readCsv(`${DATA_DIR}/busi/manifest.csv`);
const byFile = new Map(manifest.map((r) => [r.file, r]));

/** Which images to score, and how they were chosen (printed with the numbers). */
function chooseImages(): { files: string[]; source: string } {
  let split: Record<string, { file: string }[]> | undefined;
  try {
    split = JSON.parse(Deno.readTextFileSync(`${modelDir}/split.json`));
  } catch { /* the model has no recorded split */ }
  if (split && wantedSplit !== 'all') {
    if (!split[wantedSplit]) throw new Error(`${modelDir}/split.json has no "${wantedSplit}" split`);
    return { files: split[wantedSplit].map((e) => e.file), source: `the model's ${wantedSplit} split (${modelDir}/split.json)` };
  }
  // Without a split, every benign and malignant image: numbers then include the training images.
  const files = manifest.filter((r) => r.label !== 'normal').map((r) => r.file);
  return { files, source: split ? 'all benign and malignant BUSI images' : 'all benign and malignant BUSI images (no split.json: includes training images)' };
}

const [{ artifacts, card }, decoders] = await Promise.all([readModelDir(modelDir), loadDenoDecoders(), startWasmBackend()]);
const predictor = await createPredictor(artifacts, card, decoders);
if (!predictor.classifier.explainable) throw new Error('This model has no class activation map head (cam_features + prediction)');

const { files, source } = chooseImages();
const { rows, skipped } = await scoreImages(
  predictor,
  files.map((file): MaskedImage => {
    const row = byFile.get(file);
    return { file, label: row?.label ?? 'unknown', masks: row?.masks ?? '' };
  }),
  `${DATA_DIR}/busi`,
  border,
);
type Row = ImageScores;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean with a percentile-bootstrap 95% interval over images (seeded). */
function estimate(xs: number[]): { mean: number; ci: [number, number] } {
  const finite = xs.filter(Number.isFinite);
  return { mean: mean(finite), ci: bootstrapCi(finite, finite, (s) => mean(s), { resamples: 2000, seed: 5 }) };
}

function summarise(group: Row[]) {
  const measures = ['pointingHit', 'pointingTouch', 'massInMask', 'peakInBorder', 'massInBorder'] as const;
  const perMap = (name: MapName) =>
    Object.fromEntries(measures.map((m) => [m, estimate(group.map((r) => +r.maps[name][m]))])) as Record<
      (typeof measures)[number],
      ReturnType<typeof estimate>
    >;
  const any = (r: Row) => r.maps.malignant;
  return {
    images: group.length,
    emptyMaps: group.filter((r) => r.maps.pageDefault.empty).length,
    maps: Object.fromEntries((Object.keys(MAPS) as MapName[]).map((n) => [n, perMap(n)])) as Record<MapName, ReturnType<typeof perMap>>,
    chance: {
      pointingHit: mean(group.map((r) => any(r).maskShare)),
      pointingTouch: mean(group.map((r) => any(r).touchChance)),
      massInMask: mean(group.map((r) => any(r).maskShare)),
      peakInBorder: mean(group.map((r) => any(r).borderShare)),
      massInBorder: mean(group.map((r) => any(r).borderShare)),
    },
  };
}

const summary = {
  model: `${predictor.card.name} ${predictor.card.version}`,
  modelDir,
  images: source,
  border,
  skipped,
  all: summarise(rows),
  benign: summarise(rows.filter((r) => r.label === 'benign')),
  malignant: summarise(rows.filter((r) => r.label === 'malignant')),
};

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const cell = (e: { mean: number; ci: [number, number] }) => `${pct(e.mean)} (${pct(e.ci[0])}–${pct(e.ci[1])})`;
console.log(`Heatmaps of ${summary.model} on ${rows.length} BUSI images with lesion masks from ${source}; border = outer ${pct(border)}.`);
console.log('Mean over images, bootstrap 95% interval; chance = a uniform map (or a randomly placed peak).\n');
for (const name of ['all', 'malignant', 'benign'] as const) {
  const s = summary[name];
  console.log(`${name} (${s.images} images${s.emptyMaps ? `, ${s.emptyMaps} with an all-zero first view` : ''})\n`);
  const names = Object.keys(MAPS) as MapName[];
  console.log(`| measure | ${names.map((n) => MAPS[n]).join(' | ')} | chance |`);
  console.log(`|---|${names.map(() => '---|').join('')}---|`);
  const line = (label: string, key: keyof typeof s.chance) =>
    console.log(`| ${label} | ${names.map((n) => cell(s.maps[n][key])).join(' | ')} | ${pct(s.chance[key])} |`);
  line('pointing game: peak cell centre on the lesion', 'pointingHit');
  line('pointing game, lenient: peak cell overlaps the lesion', 'pointingTouch');
  line('heatmap mass on the lesion', 'massInMask');
  line('peak in the border strips', 'peakInBorder');
  line('heatmap mass in the border strips', 'massInBorder');
  console.log('');
}
// Heatmaps show where the evidence sits; this asks directly whether the answer needs the border at all.
const occlusion = await borderOcclusion(predictor, rows.map(({ file, label }) => ({ file, label })), `${DATA_DIR}/busi`, border);
const labels = occlusion.map((o) => (o.label === 'malignant' ? 1 : 0));
const threshold = predictor.card.threshold.value;
const occlusionSummary = {
  aucAsServed: rocAuc(occlusion.map((o) => o.original), labels),
  aucBorderBlanked: rocAuc(occlusion.map((o) => o.blanked), labels),
  meanAbsChange: estimate(occlusion.map((o) => Math.abs(o.blanked - o.original))),
  meanChangeMalignant: mean(occlusion.filter((o) => o.label === 'malignant').map((o) => o.blanked - o.original)),
  meanChangeBenign: mean(occlusion.filter((o) => o.label === 'benign').map((o) => o.blanked - o.original)),
  decisionsFlipped: occlusion.filter((o) => (o.original >= threshold) !== (o.blanked >= threshold)).length,
};
console.log(`Border blanked (outer ${pct(border)} painted black) on the same ${occlusion.length} images:`);
console.log(`ROC AUC ${occlusionSummary.aucAsServed.toFixed(3)} as served → ${occlusionSummary.aucBorderBlanked.toFixed(3)} blanked; ` +
  `mean |Δp| ${cell(occlusionSummary.meanAbsChange)}; mean Δp ${occlusionSummary.meanChangeMalignant.toFixed(3)} on malignant, ` +
  `${occlusionSummary.meanChangeBenign.toFixed(3)} on benign; ${occlusionSummary.decisionsFlipped} decisions at the operating threshold ` +
  `${threshold.toFixed(2)} flip.\n`);

Deno.mkdirSync(jsonOut.replace(/\/[^/]+$/, ''), { recursive: true });
Deno.writeTextFileSync(jsonOut, JSON.stringify({ summary, borderOcclusion: occlusionSummary, rows, occlusion }, null, 2));
console.log(`Per-image scores: ${jsonOut}`);
predictor.classifier.dispose();
