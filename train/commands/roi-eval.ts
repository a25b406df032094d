/**
 * `npm run evaluate -- --roi [flags]`: box mode on the data sets' own lesion boxes (BUS-BRA and BrEaST `bbox_xywh`,
 * BUSI mask bounding boxes), through the serving functions on WASM, with the robustness perturbations.
 *   [--model DIR] [--data DIR] [--out FILE] [--doc FILE] [--limit N] [--seed N] [--resamples N]
 * Writes --out (default train/results/roi-eval.json) and the generated section of --doc (default docs/roi.md).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MIN_ROI_SIDE, type Roi, roiMarginOf } from '../../src/image/roi.ts';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags, ROOT } from '../args.ts';
import { bootstrapCi, rocAuc } from '../eval/metrics.ts';
import { seededRandom, shuffled } from '../random.ts';
import { type BoxedSet, readBreastLesionBoxes, readBusBraBoxes, readBusiBoxes } from '../roi/boxes.ts';
import { BOX_PERTURBATIONS, PERTURBATION_LABELS, perturbBox, scaleBox } from '../roi/perturb.ts';
import { type RoiEvalResults, type RoiSetResult, replaceSection, roiEvalMarkdown } from '../roi/report.ts';
import { scoreImageBoxes } from '../roi/scoring.ts';

/** Files a model's split.json lists for anything but its test part (training and validation images). */
function trainingFiles(modelDir: string): Set<string> {
  const path = join(modelDir, 'split.json');
  if (!existsSync(path)) return new Set();
  const split = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const files = new Set<string>();
  for (const [part, entries] of Object.entries(split)) {
    if (part === 'test' || !Array.isArray(entries)) continue;
    for (const e of entries) if (e && typeof e.file === 'string') files.add(e.file);
  }
  return files;
}

/** Boxes smaller than the API accepts are grown about their centre to MIN_ROI_SIDE, as a user would have to. */
function atLeastMinimum(box: Roi): Roi {
  const factor = Math.max(1, MIN_ROI_SIDE / box.width, MIN_ROI_SIDE / box.height);
  if (factor === 1) return box;
  const grown = scaleBox(box, factor);
  return { ...grown, width: Math.max(MIN_ROI_SIDE, grown.width), height: Math.max(MIN_ROI_SIDE, grown.height) };
}

function aucWithCi(scores: number[], labels: number[], resamples: number, seed: number) {
  return { auc: rocAuc(scores, labels), aucCi95: bootstrapCi(scores, labels, rocAuc, { resamples, seed }) };
}

/** Paired bootstrap of AUC(b) − AUC(a): the same resampled images for both (indices stand in for scores). */
function pairedDelta(a: number[], b: number[], labels: number[], resamples: number, seed: number) {
  const index = a.map((_, i) => i);
  const delta = (idx: number[], l: number[]) => rocAuc(idx.map((i) => b[i]), l) - rocAuc(idx.map((i) => a[i]), l);
  return { deltaVsGiven: delta(index, labels), deltaCi95: bootstrapCi(index, labels, delta, { resamples, seed }) };
}

/** Runs the evaluation; `argv` are the flags after `--roi`. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, {
    model: { type: 'string', default: join(ROOT, 'static/model') },
    out: { type: 'string', default: join(ROOT, 'train/results/roi-eval.json') },
    doc: { type: 'string', default: join(ROOT, 'docs/roi.md') },
    limit: { type: 'string' },
    seed: { type: 'string', default: '11' },
    resamples: { type: 'string', default: '2000' },
  });
  const { useServingBackend, loadServingClassifier } = await import('../eval/serving.ts');
  const modelDir = resolve(args.model!);
  const data = resolve(args.data!);
  const seed = Number(args.seed), resamples = Number(args.resamples);
  const limit = args.limit ? Number(args.limit) : Infinity;
  await useServingBackend();
  const classifier = await loadServingClassifier(modelDir);
  const card = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
  const margin = roiMarginOf(card);
  const decoders = await loadNodeDecoders();
  const seen = trainingFiles(modelDir);

  type Keep = (file: string) => boolean;
  const sets: [string, string, string, (keep: Keep) => BoxedSet | Promise<BoxedSet>][] = [
    ['BUSI', 'busi', 'union box of the lesion masks listed in manifest.csv', (keep) => readBusiBoxes(join(data, 'busi'), decoders, keep)],
    ['BUS-BRA', 'bus-bra', 'manifest.csv bbox_xywh', (keep) => readBusBraBoxes(join(data, 'bus-bra'), keep)],
    ['BrEaST (external)', 'breast-lesions-usg', 'labels.csv bbox_xywh', (keep) => readBreastLesionBoxes(join(data, 'breast-lesions-usg'), keep)],
  ];
  const results: RoiSetResult[] = [];
  for (const [name, folder, source, read] of sets) {
    if (!existsSync(join(data, folder))) {
      process.stdout.write(`${name}: no data at ${join(data, folder)}, skipped\n`);
      continue;
    }
    const { samples: unseen, excluded } = await read((file) => !seen.has(file) && !seen.has(`${folder}/${file}`));
    // --limit (quick runs, tests) takes a seeded random subset: the files are sorted by class.
    const kept = Number.isFinite(limit) ? shuffled(unseen, seededRandom(seed)).slice(0, limit) : unseen;
    const random = seededRandom(seed);
    const scores = BOX_PERTURBATIONS.map(() => [] as number[]);
    const whole: number[] = [];
    const started = performance.now();
    for (const [i, s] of kept.entries()) {
      const boxes = BOX_PERTURBATIONS.map((k) => atLeastMinimum(perturbBox(atLeastMinimum(s.box), k, random)));
      const [w, ...byBox] = await scoreImageBoxes(classifier, decoders, s.path, boxes, margin);
      whole.push(w);
      byBox.forEach((p, k) => scores[k].push(p));
      if ((i + 1) % 200 === 0) process.stdout.write(`${name}: ${i + 1}/${kept.length}\n`);
    }
    const labels = kept.map((s) => s.label);
    const given = scores[0];
    const box = Object.fromEntries(BOX_PERTURBATIONS.map((k, j) => [
      k,
      { ...aucWithCi(scores[j], labels, resamples, seed), ...(j > 0 ? pairedDelta(given, scores[j], labels, resamples, seed) : {}) },
    ])) as RoiSetResult['box'];
    const result: RoiSetResult = {
      name,
      source: `${folder}: ${source}${kept.length < unseen.length ? ` (a random ${kept.length}, --limit)` : ''}`,
      n: kept.length,
      positives: labels.filter((l) => l === 1).length,
      excludedAsTraining: excluded,
      whole: aucWithCi(whole, labels, resamples, seed),
      box,
    };
    results.push(result);
    process.stdout.write(
      `${name}: n ${result.n}, whole AUC ${result.whole.auc.toFixed(3)}, box AUC ${box.given.auc.toFixed(3)} ` +
        `[${box.given.aucCi95.map((v) => v?.toFixed(3)).join(', ')}], ×1.30 ${box.enlarged30.auc.toFixed(3)}, ` +
        `×0.85 ${box.shrunk15.auc.toFixed(3)}, shifted ${box.shifted10.auc.toFixed(3)} ` +
        `(${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  }
  classifier.dispose();
  const report: RoiEvalResults = {
    command: ['npm run evaluate -- --roi', ...argv].join(' '),
    createdAt: new Date().toISOString(),
    model: { name: card.name, version: card.version },
    margin,
    seed,
    resamples,
    perturbations: PERTURBATION_LABELS,
    sets: results,
  };
  const out = resolve(args.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const doc = resolve(args.doc!);
  writeFileSync(doc, replaceSection(existsSync(doc) ? readFileSync(doc, 'utf8') : '# Lesion-box mode\n', roiEvalMarkdown(report)));
  process.stdout.write(`→ ${out}, ${doc}\n`);
}
