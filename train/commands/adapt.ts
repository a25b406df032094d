/**
 * `npm run adapt -- [flags]` (tsx train/cli.ts adapt), docs/adapt.md: a copy of a model whose batch-norm statistics
 * come from a hospital's own unlabelled images (AdaBN), optionally with a threshold and calibration set on a few
 * local labels.
 *   --model DIR --folder LOCAL_IMAGES --out NEW_DIR [--method one-pass|layerwise] [--passes 1] [--layers all|trainable|none] [--momentum 0]
 *   [--batch-size 32] [--max-images 1000] [--seed 1]
 *   [--backend auto|tensorflow|wasm] [--exclude SUBFOLDER]… [--labels [FILE.csv]] [--sensitivity 0.9]
 * --labels alone: benign/ and malignant/ under --folder; --labels FILE.csv: columns file,label.
 * The source folder is only read; images are read, never copied, and their names are never printed.
 */
import { resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags } from '../args.ts';
import { adaptModelDir, modelInputSpec } from '../adapt/adapt-dir.ts';
import { type BackendChoice, useAdaptBackend } from '../adapt/backend.ts';
import { adaptedCard } from '../adapt/card.ts';
import { listFiles, loadLocalInputs } from '../adapt/images.ts';
import { fitLocal, readLocalLabels } from '../adapt/labels.ts';
import { writeCard } from '../adapt/model-dir.ts';
import { loadServingClassifier, useServingBackend } from '../eval/serving.ts';
import { seededRandom, shuffled } from '../random.ts';

const OPTIONS = {
  model: { type: 'string' },
  folder: { type: 'string' },
  out: { type: 'string' },
  // one-pass: one forward pass for all layers; layerwise: the exact reference, about L/2 passes (docs/adapt.md).
  method: { type: 'string', default: 'one-pass' },
  passes: { type: 'string', default: '1' },
  // trainable: leave frozen (e.g. ImageNet) batch norms as they are (train/adapt/batch-norm.ts AdaptLayers);
  // none: statistics unchanged, only --labels sets threshold and calibration (docs/adapt.md: AdaBN can hurt).
  // Default trainable: on both leave-one-site-out directions (the signal this project chooses on) it lowered AUC
  // less than `all`; neither raised it, hence the warning below.
  layers: { type: 'string', default: 'trainable' },
  momentum: { type: 'string', default: '0' },
  'batch-size': { type: 'string', default: '32' },
  // Bounds memory (inputs are held as floats); the curve in docs/adapt.md shows how many images are enough.
  'max-images': { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
  backend: { type: 'string', default: 'auto' },
  // Sub-folders to leave out by name (e.g. a data set's `masks`).
  exclude: { type: 'string', multiple: true },
  labels: { type: 'string' },
  sensitivity: { type: 'string', default: '0.9' },
} as const;

/** Runs `npm run adapt -- --model DIR --folder IMAGES --out NEW_DIR …`. */
export async function run(argv: string[]): Promise<void> {
  // `--labels` alone means class folders; parseArgs needs a value, so supply it.
  const at = argv.indexOf('--labels');
  if (at >= 0 && (at === argv.length - 1 || argv[at + 1].startsWith('--'))) argv = [...argv.slice(0, at + 1), 'folders', ...argv.slice(at + 1)];
  const args = parseFlags(argv, OPTIONS);
  if (!args.model || !args.folder || !args.out) throw new Error('--model, --folder and --out are required (see docs/adapt.md)');
  const modelDir = resolve(args.model);
  const folder = resolve(args.folder);
  const out = resolve(args.out);
  const momentum = Number(args.momentum);
  const maxImages = Number(args['max-images']);
  const target = Number(args.sensitivity);
  if (!(momentum >= 0 && momentum < 1)) throw new Error('--momentum must be in [0, 1)');
  if (!(target > 0 && target <= 1)) throw new Error('--sensitivity must be in (0, 1]');
  if (args.method !== 'one-pass' && args.method !== 'layerwise') throw new Error('--method must be one-pass or layerwise');
  if (args.layers !== 'all' && args.layers !== 'trainable' && args.layers !== 'none') throw new Error('--layers must be all, trainable or none');
  if (args.layers === 'none' && !args.labels) throw new Error('--layers none changes nothing without --labels');
  const passes = Number(args.passes);
  if (!(Number.isInteger(passes) && passes >= 1)) throw new Error('--passes must be a whole number ≥ 1');
  // Read the labels first: a wrong --labels fails before minutes of adaptation.
  const labelled = args.labels ? readLocalLabels(folder, args.labels === 'folders' ? 'folders' : resolve(args.labels)) : undefined;

  const backend = await useAdaptBackend(args.backend as BackendChoice);
  const spec = await modelInputSpec(modelDir);
  const decoders = await loadNodeDecoders();
  const files = listFiles(folder, args.exclude ?? []);
  // More files than the cap: a seeded random subset, so a rerun picks the same images.
  const picked = files.length > maxImages ? shuffled(files, seededRandom(Number(args.seed))).slice(0, maxImages).sort() : files;
  // --layers none reads only the labelled images (below).
  const { inputs, skipped } = args.layers === 'none' ? { inputs: [], skipped: 0 } : await loadLocalInputs(picked, decoders, spec);
  if (args.layers !== 'none') {
    process.stderr.write(`${inputs.length} images read (${skipped} files skipped: not an image the server accepts)${files.length > maxImages ? `, a seeded sample of ${files.length}` : ''}\n`);
    if (inputs.length < 2) throw new Error('fewer than 2 usable images in --folder');
  }

  const { record, shifts, sourceCard } = await adaptModelDir(modelDir, out, {
    inputs,
    skippedFiles: skipped,
    momentum,
    method: args.method,
    passes,
    layers: args.layers,
    batchSize: Number(args['batch-size']),
    backend,
    command: ['npm run adapt --', ...argv].join(' '),
    onProgress: (done, total, unit) => process.stderr.write(`\r${unit === 'layers' ? 'batch norm layers adapted' : 'batches through the model'}: ${done}/${total}`),
  });
  process.stderr.write('\n');
  for (const s of shifts) {
    process.stdout.write(`${s.name}: ${s.channels} channels, mean moved ${s.meanShift.toFixed(2)} source SD, variance ×${s.varianceRatio.toFixed(2)}\n`);
  }
  if (args.layers === 'none') process.stdout.write(`batch-norm statistics unchanged (--layers none) → ${out}\n`);
  else {
    process.stdout.write(`adapted ${shifts.length} batch-norm layers on ${inputs.length} images in ${record.seconds.toFixed(1)} s (${backend}) → ${out}\n`);
    process.stdout.write('WARNING: on every site measured (docs/adapt.md), re-estimated statistics lowered the shipped model\'s AUC; with local labels prefer --layers none --labels, and check this folder on labelled local images.\n');
  }
  if (!labelled) return;

  // Scores of the adapted model exactly as the server computes them (WASM, batch norm folded).
  await useServingBackend();
  const classifier = await loadServingClassifier(out);
  const local = await loadLocalInputs(labelled.map((l) => l.path), decoders, classifier.inputSpec);
  if (local.skipped) throw new Error(`${local.skipped} labelled files are missing or not images the server accepts`);
  const scores = local.inputs.map((x) => classifier.classify([x])[0]);
  classifier.dispose();
  const fitted = fitLocal(scores, labelled.map((l) => l.label), { target, source: args.labels === 'folders' ? 'class folders benign/ and malignant/' : 'CSV file,label' });
  writeCard(out, adaptedCard(sourceCard, record, fitted));
  const r = fitted.report;
  const ci = (c: [number, number]) => `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]`;
  process.stdout.write(
    `local labels: ${r.malignant} malignant, ${r.benign} benign; threshold ${r.threshold.value.toFixed(4)} ${ci(r.threshold.ci95)} for sensitivity ≥ ${target}; ` +
      `on these same images sensitivity ${r.sensitivity.toFixed(3)} ${ci(r.sensitivityCi95)}, specificity ${r.specificity.toFixed(3)} ${ci(r.specificityCi95)}, AUC ${r.auc.toFixed(3)} ${ci(r.aucCi95)}; ` +
      `Platt slope ${fitted.calibration.slope.toFixed(3)} ${ci(r.calibration.slopeCi95)}, intercept ${fitted.calibration.intercept.toFixed(3)} ${ci(r.calibration.interceptCi95)}, ECE ${r.calibration.ece.raw.toFixed(3)} → ${r.calibration.ece.calibrated.toFixed(3)}\n`,
  );
  if (r.warning) process.stdout.write(`WARNING: ${r.warning}\n`);
}
