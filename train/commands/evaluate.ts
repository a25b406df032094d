/**
 * `npm run evaluate -- [flags]` (tsx train/cli.ts evaluate): scores a saved model on one image set through the
 * serving code on WASM and writes metrics.json, roc.svg and reliability.svg.
 *   --model DIR (--folder DIR | --npz FILE [--split test] | --busi-split PART | --external) [--data DIR] [--out DIR]
 *   --roi [flags]: box mode on the data sets' lesion boxes, see train/commands/roi-eval.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { applyCalibration } from '../../src/model/calibration.ts';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags, ROOT } from '../args.ts';
import { readBreastMnist } from '../data/breastmnist.ts';
import { readBreastLesions } from '../data/external.ts';
import { readClassFolders } from '../data/folders.ts';
import { labelsOf, type Sample } from '../data/sample.ts';
import { rocCurve, summarise } from '../eval/metrics.ts';
import { reliabilityChart, rocChart } from '../plots.ts';
import { writeJson } from '../write-json.ts';

const OPTIONS = {
  model: { type: 'string' },
  folder: { type: 'string' },
  npz: { type: 'string' },
  split: { type: 'string', default: 'test' },
  'busi-split': { type: 'string' },
  external: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;

/** Runs `npm run evaluate -- --model DIR …`: scores one image set with a saved model, as the server would. */
export async function run(argv: string[]): Promise<void> {
  if (argv.includes('--roi')) return (await import('./roi-eval.ts')).run(argv.filter((a) => a !== '--roi'));
  const args = parseFlags(argv, OPTIONS);
  const { useServingBackend, loadServingClassifier, scoreFiles, scoreRasters } = await import('../eval/serving.ts');
  if (!args.model) throw new Error('--model DIR is required');
  const modelDir = resolve(args.model);
  await useServingBackend();
  const classifier = await loadServingClassifier(modelDir);
  const card = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
  const decoders = await loadNodeDecoders();
  let name: string;
  let files: string[] = [];
  let scores: number[];
  let labels: number[];
  if (args.npz) {
    const part = readBreastMnist(resolve(args.npz))[args.split as 'train' | 'val' | 'test'];
    name = `${args.npz.split('/').at(-1)}:${args.split}`;
    scores = scoreRasters(classifier, part.rasters);
    labels = part.labels;
  } else {
    let samples: Sample[];
    if (args.folder) {
      samples = readClassFolders(resolve(args.folder));
      name = args.folder;
    } else if (args.external) {
      samples = readBreastLesions(join(args.data!, 'breast-lesions-usg'));
      name = 'BrEaST-Lesions_USG';
    } else if (args['busi-split']) {
      const split = JSON.parse(readFileSync(join(modelDir, 'split.json'), 'utf8'));
      const root = join(args.data!, 'busi');
      samples = split[args['busi-split']].map((s: { file: string; label: 0 | 1; group: string }) => ({ path: join(root, s.file), label: s.label, className: '', group: s.group }));
      name = `BUSI ${args['busi-split']}`;
    } else throw new Error('say what to evaluate: --folder, --npz, --external or --busi-split');
    files = samples.map((s) => s.path);
    scores = await scoreFiles(classifier, decoders, files);
    labels = labelsOf(samples);
  }
  const summary = summarise(scores, labels, card.threshold.value);
  const out = resolve(args.out ?? join(ROOT, 'test-output/evaluate'));
  mkdirSync(out, { recursive: true });
  writeJson(join(out, 'metrics.json'), {
    set: name,
    model: { name: card.name, version: card.version },
    ...summary,
    // `score` is the raw model output (what the threshold applies to), `probability` what /predict serves (calibrated
    // when the card has a calibration), so both can be checked against the API.
    predictions: scores.map((p, i) => ({ file: files[i] ?? String(i), label: labels[i], score: p, probability: applyCalibration(p, card.calibration) })),
  });
  writeFileSync(join(out, 'roc.svg'), rocChart([{ name, auc: summary.auc, points: rocCurve(scores, labels) }]));
  writeFileSync(join(out, 'reliability.svg'), reliabilityChart([{ name, ece: summary.ece, bins: summary.reliability }]));
  process.stdout.write(
    `${name}: n ${summary.n}, AUC ${summary.auc.toFixed(3)} [${summary.aucCi95.map((v) => v.toFixed(3)).join(', ')}], ` +
      `at threshold ${summary.threshold.toFixed(3)}: sensitivity ${summary.sensitivity.toFixed(3)}, specificity ${summary.specificity.toFixed(3)}, ` +
      `accuracy ${summary.accuracy.toFixed(3)}, ECE ${summary.ece.toFixed(3)} → ${out}\n`,
  );
}
