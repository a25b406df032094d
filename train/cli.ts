/**
 * Training and evaluation CLI (Node + tfjs-node for training; evaluation through the serving code on WASM).
 *   tsx train/cli.ts train    [--data DIR] [--out DIR] [--arch edge|seed] [--epochs N] [--patience N] [--seed N]
 *                             [--ensemble K] [--folder DIR | --npz FILE] [--include-normal] [--limit N]
 *                             [--min-crop AREA] [--zoom-out SIDE] [--blur RATE] [--lesion-weight W] [--lesion-crop RATE]
 *                             [--standardize] [--no-augment] [--quantize float32|float16|uint8] [--keep-model]
 *   tsx train/cli.ts evaluate --model DIR (--folder DIR | --npz FILE [--split test] | --busi-split PART | --external) [--out DIR]
 *   tsx train/cli.ts cam-check --model DIR [--busi-split test|val|train]   (heatmaps against BUSI lesion masks)
 */
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadNodeDecoders } from '../src/runtime/node-wasm.ts';
import { cardMarkdown, INTENDED_USE, LIMITATIONS, NOT_A_MEDICAL_DEVICE } from './card.ts';
import { readBreastMnist } from './data/breastmnist.ts';
import { readBusi } from './data/busi.ts';
import { readBreastLesions } from './data/external.ts';
import { readClassFolders } from './data/folders.ts';
import { loadInputs, rastersToInputs } from './data/load.ts';
import { loadMasks } from './data/masks.ts';
import type { Sample } from './data/sample.ts';
import type { EpochLog, TrainingData } from './fit.ts';
import { atThreshold, rocCurve, summarise, thresholdForSensitivity } from './metrics.ts';
import { reliabilityChart, rocChart, trainingCurves } from './plots.ts';
import type { Quantization } from './quantize.ts';
import { addToTraining, describeSplit, splitByGroup } from './split.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_DATA = process.env.DATA_DIR ?? resolve(ROOT, '../shared/data');
const TARGET_SENSITIVITY = 0.9;

// The defaults are the shipped model's recipe: `npm run train` alone reproduces static/model/.
const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: DEFAULT_DATA },
    out: { type: 'string' },
    arch: { type: 'string', default: 'edge' },
    epochs: { type: 'string', default: '60' },
    patience: { type: 'string', default: '15' },
    seed: { type: 'string', default: '7' },
    'batch-size': { type: 'string', default: '32' },
    'learning-rate': { type: 'string', default: '0.002' },
    'min-crop': { type: 'string', default: '0.3' },
    'zoom-out': { type: 'string', default: '1.35' },
    blur: { type: 'string', default: '0.3' },
    'lesion-weight': { type: 'string', default: '1' },
    'lesion-crop': { type: 'string', default: '0' },
    standardize: { type: 'boolean', default: false },
    'keep-model': { type: 'boolean', default: false },
    ensemble: { type: 'string', default: '1' },
    'include-normal': { type: 'boolean', default: false },
    'no-augment': { type: 'boolean', default: false },
    folder: { type: 'string' },
    npz: { type: 'string' },
    quantize: { type: 'string', default: 'float16' },
    limit: { type: 'string' },
    model: { type: 'string' },
    split: { type: 'string', default: 'test' },
    'busi-split': { type: 'string' },
    external: { type: 'boolean', default: false },
    name: { type: 'string', default: 'busi-edge-cnn' },
    version: { type: 'string', default: '1.1.0' },
  },
});

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

function labelsOf(samples: Sample[]): number[] {
  return samples.map((s) => s.label);
}

/**
 * Summaries of other recorded runs (train/results/<name>/card.json: BreastMNIST, BUSI with normals) for the
 * shipped card, read from the files those runs wrote, never typed in.
 */
function relatedResults(dir: string, out: string): { results: Record<string, unknown>; lines: string[] } | undefined {
  if (!existsSync(dir)) return undefined;
  const results: Record<string, unknown> = {};
  const lines: string[] = [];
  const f = (v: number) => v.toFixed(3);
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'card.json');
    if (!existsSync(file) || resolve(dir, name) === out) continue;
    const other = JSON.parse(readFileSync(file, 'utf8'));
    const summary = Object.fromEntries(
      Object.entries(other.metrics as Record<string, { auc: number; aucCi95: [number, number]; n: number; accuracyAtHalf?: number }>).map(([set, m]) => [
        set,
        { n: m.n, auc: m.auc, aucCi95: m.aucCi95, ...(m.accuracyAtHalf !== undefined ? { accuracyAtHalf: m.accuracyAtHalf } : {}) },
      ]),
    );
    results[name] = { command: other.training.command, createdAt: other.createdAt, metrics: summary };
    lines.push(
      `${name} (\`${other.training.command}\`, a separate model): ` +
        Object.entries(summary).map(([set, m]) => `${set} AUC ${f(m.auc)} (${f(m.aucCi95[0])}–${f(m.aucCi95[1])})${m.accuracyAtHalf !== undefined ? `, accuracy at 0.5 ${f(m.accuracyAtHalf)}` : ''}`).join('; '),
    );
  }
  return lines.length ? { results, lines } : undefined;
}

async function train(): Promise<void> {
  const started = Date.now();
  // tfjs-node is imported here only: evaluation and serving never need it.
  const tf = await import('@tensorflow/tfjs-node');
  const { assembleEnsemble, buildArchitecture, INPUT_SHAPES } = await import('./architectures.ts');
  const { fit } = await import('./fit.ts');
  const { quantizeModelDir } = await import('./quantize.ts');
  const { useServingBackend, loadServingClassifier, scoreFiles, scoreRasters } = await import('./serving-eval.ts');

  const arch = args.arch as 'edge' | 'seed';
  const seed = Number(args.seed);
  const out = resolve(args.out ?? (args.npz ? join(ROOT, 'train/results/breastmnist-128') : join(ROOT, 'static/model')));
  const [height, width, channels] = INPUT_SHAPES[arch];
  const spec = { height, width, channels: channels as 1 | 3 };
  const decoders = await loadNodeDecoders();
  const limit = args.limit ? Number(args.limit) : undefined;

  // ---- data: BreastMNIST (official splits), a class-folder tree, or BUSI by near-duplicate group
  let trainSet: TrainingData;
  let valSet: { inputs: Float32Array[]; labels: number[] };
  let splitRecord: unknown;
  let dataInfo: Record<string, unknown>;
  let busiSplit: ReturnType<typeof splitByGroup> | undefined;
  let mnist: ReturnType<typeof readBreastMnist> | undefined;
  if (args.npz) {
    mnist = readBreastMnist(resolve(args.npz));
    trainSet = { inputs: rastersToInputs(mnist.train.rasters, spec), labels: mnist.train.labels };
    valSet = { inputs: rastersToInputs(mnist.val.rasters, spec), labels: mnist.val.labels };
    splitRecord = { protocol: 'official MedMNIST BreastMNIST train/val/test', counts: { train: mnist.train.labels.length, val: mnist.val.labels.length, test: mnist.test.labels.length } };
    dataInfo = {
      sources: ['MedMNIST v2 BreastMNIST: Yang J. et al., Scientific Data (2023), CC BY 4.0; derived from BUSI (Al-Dhabyani et al. 2020).'],
      description: `MedMNIST BreastMNIST ${args.npz.split('/').at(-1)} (derived from BUSI), official splits; label 0 (malignant) mapped to 1.`,
      splitProtocol: 'official train (fit) / val (early stopping, threshold) / test (report). The official split has near-duplicates across train and test (49 of 156 test images): numbers are only comparable with published BreastMNIST results.',
      counts: { train: mnist.train.labels.length, val: mnist.val.labels.length, test: mnist.test.labels.length },
    };
  } else {
    const samples = args.folder
      ? readClassFolders(resolve(args.folder))
      : readBusi(join(args.data!, 'busi'), { includeNormal: args['include-normal']! });
    // Normal images (no lesion) only ever add negatives to training: the split is made on the lesion images
    // alone (so validation and test are the same images with or without normals), then normals join training.
    const lesions = args.folder ? samples : samples.filter((s) => s.className !== 'normal');
    busiSplit = splitByGroup(limit ? lesions.filter((_, i) => i % Math.ceil(lesions.length / limit) === 0) : lesions, { val: 0.15, test: 0.15 }, seed);
    if (args['include-normal']) busiSplit = addToTraining(busiSplit, samples.filter((s) => s.className === 'normal'));
    const root = args.folder ? resolve(args.folder) : join(args.data!, 'busi');
    splitRecord = { protocol: 'stratified by label, grouped by near-duplicate group, 70/15/15, seed ' + seed, ...describeSplit(busiSplit, root) };
    process.stderr.write(`loading ${busiSplit.train.length + busiSplit.val.length + busiSplit.test.length} images through the serving preprocessing…\n`);
    const useMasks = Number(args['lesion-weight']) > 0 || Number(args['lesion-crop']) > 0;
    trainSet = {
      inputs: loadInputs(busiSplit.train, decoders, spec),
      labels: labelsOf(busiSplit.train),
      // Masks are a training target only (auxiliary loss, lesion-centred crops); the model never sees them.
      ...(useMasks && !args.folder ? { masks: loadMasks(busiSplit.train, decoders, spec) } : {}),
    };
    valSet = { inputs: loadInputs(busiSplit.val, decoders, spec), labels: labelsOf(busiSplit.val) };
    const count = (part: Sample[], cls: string) => part.filter((s) => s.className === cls).length;
    dataInfo = {
      description: args.folder
        ? `Class folders under ${args.folder}.`
        : `BUSI (Al-Dhabyani et al. 2020; Baheya Hospital, Cairo): benign and malignant${args['include-normal'] ? ', plus normal images as extra negatives in training only' : ''}. External: BrEaST-Lesions_USG (Pawłowska et al. 2024; Poland), never used for training, the epoch or the threshold.`,
      sources: args.folder
        ? [resolve(args.folder)]
        : [
            'BUSI: Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28 (2020) 104863 (research use with citation).',
            'BrEaST-Lesions_USG (external test only): Pawłowska A. et al. Curated benchmark dataset for ultrasound based breast lesion analysis. Scientific Data 11 (2024) 148 (CC BY 4.0).',
          ],
      splitProtocol: 'group-disjoint by BUSI near-duplicate group (manifest.csv neardup_group; images without a group are their own group), stratified, 70/15/15 train/validation/test, seeded. Validation chooses the epoch and the threshold. During development the test and external sets were scored for each candidate recipe (about ten, listed in the README) and a test-time check on the external set motivated the zoom augmentation, so their numbers are somewhat optimistic.',
      counts: Object.fromEntries((['train', 'val', 'test'] as const).map((p) => [p, `${busiSplit![p].length} (benign ${count(busiSplit![p], 'benign')}, malignant ${count(busiSplit![p], 'malignant')}${args['include-normal'] ? `, normal ${count(busiSplit![p], 'normal')}` : ''})`])),
    };
  }

  // ---- fit on tfjs-node: one model, or K members (seeds seed, seed+1, …) packed into one ensemble model
  const members = arch === 'edge' ? Math.max(1, Number(args.ensemble)) : 1;
  const options = {
    epochs: Number(args.epochs),
    batchSize: Number(args['batch-size']),
    learningRate: Number(args['learning-rate']),
    patience: Number(args.patience),
    seed,
    augment: !args['no-augment'],
    minCrop: Number(args['min-crop']),
    maxZoomOut: Number(args['zoom-out']),
    blurRate: Number(args.blur),
    lesionWeight: Number(args['lesion-weight']),
    lesionCropRate: Number(args['lesion-crop']),
  };
  const histories: EpochLog[][] = [];
  const trained: import('@tensorflow/tfjs-node').LayersModel[] = [];
  for (let k = 0; k < members; k++) {
    const member = buildArchitecture(arch, seed + 1000 * k, { standardize: args.standardize });
    process.stderr.write(`training ${arch}${members > 1 ? ` member ${k + 1}/${members}` : ''} (${member.countParams()} parameters) on ${trainSet.labels.length} images, validating on ${valSet.labels.length}\n`);
    histories.push(await fit(member, trainSet, valSet, { ...options, seed: seed + k }));
    trained.push(member);
  }
  const model = members > 1 ? assembleEnsemble(trained, { standardize: args.standardize }) : trained[0];
  if (members > 1) for (const m of trained) m.dispose();
  const history = histories[0];
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await model.save(`file://${out}`);
  const parameters = model.countParams();
  model.dispose();

  // ---- evaluate the saved model exactly as the server will run it
  await useServingBackend();
  const scoreAll = async () => {
    const classifier = await loadServingClassifier(out);
    const scoreSet = (which: 'val' | 'test') =>
      mnist
        ? { scores: scoreRasters(classifier, mnist[which].rasters), labels: mnist[which].labels }
        : { scores: scoreFiles(classifier, decoders, busiSplit![which].map((s) => s.path)), labels: labelsOf(busiSplit![which]) };
    const externalRoot = join(args.data!, 'breast-lesions-usg');
    let external: { scores: number[]; labels: number[] } | undefined;
    if (!mnist && !args.folder && existsSync(externalRoot)) {
      const ext = readBreastLesions(externalRoot);
      external = { scores: scoreFiles(classifier, decoders, ext.map((s) => s.path)), labels: labelsOf(ext) };
    }
    const scored = { val: scoreSet('val'), test: scoreSet('test'), external };
    classifier.dispose();
    return scored;
  };
  let { val, test, external } = await scoreAll();
  let threshold = thresholdForSensitivity(val.scores, val.labels, TARGET_SENSITIVITY);

  // ---- optional quantisation, accepted only if no test image changes class at the threshold
  const quantize = args.quantize as Quantization;
  let weightFormat = 'float32';
  if (quantize !== 'float32') {
    const float32 = { json: readFileSync(join(out, 'model.json')), weights: readFileSync(join(out, 'weights.bin')) };
    quantizeModelDir(out, quantize);
    const quantized = await scoreAll();
    const flips = quantized.test.scores.filter((p, i) => (p >= threshold) !== (test.scores[i] >= threshold)).length;
    const maxDelta = Math.max(...quantized.test.scores.map((p, i) => Math.abs(p - test.scores[i])));
    process.stderr.write(`${quantize}: max |Δp| ${maxDelta.toExponential(2)}, ${flips} class changes on the test set\n`);
    if (flips > 0) {
      // Verified or nothing: a class change means the smaller weights are not the same model.
      writeFileSync(join(out, 'model.json'), float32.json);
      writeFileSync(join(out, 'weights.bin'), float32.weights);
      weightFormat = `float32 (${quantize} was tried and changed ${flips} test classes at the threshold)`;
    } else {
      weightFormat = `${quantize} (max |Δp| ${maxDelta.toExponential(1)} against float32 on the test set, no class changes)`;
      ({ val, test, external } = quantized);
      threshold = thresholdForSensitivity(val.scores, val.labels, TARGET_SENSITIVITY);
    }
  }

  const metrics: Record<string, unknown> = {
    [mnist ? 'breastmnistTest' : 'busiTest']: { description: mnist ? 'BreastMNIST official test' : 'BUSI held-out test (group-disjoint)', ...summarise(test.scores, test.labels, threshold) },
    validation: { description: mnist ? 'BreastMNIST official val' : 'BUSI validation (chose epoch and threshold)', ...summarise(val.scores, val.labels, threshold) },
  };
  if (external) metrics.external = { description: 'BrEaST-Lesions_USG (external, Poland)', ...summarise(external.scores, external.labels, threshold) };
  if (mnist) {
    // Published BreastMNIST accuracies classify at 0.5 (argmax), not at a sensitivity-first threshold.
    (metrics.breastmnistTest as Record<string, unknown>).accuracyAtHalf = atThreshold(test.scores, test.labels, 0.5).accuracy;
  }

  const related = mnist || args.folder ? undefined : relatedResults(join(ROOT, 'train/results'), out);
  const weightsBytes = statSync(join(out, 'weights.bin')).size;
  const runtimeSeconds = (Date.now() - started) / 1000;
  const best = history.reduce((a, b) => (b.valAuc > a.valAuc ? b : a));
  const card = {
    name: mnist ? 'breastmnist-edge-cnn' : args.name,
    version: args.version,
    createdAt: new Date().toISOString(),
    notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
    architecture: {
      name: members > 1 ? `${arch} ensemble of ${members} (mean logit, one model)` : arch,
      parameters,
      weightsBytes,
      weightFormat,
    },
    input: { height, width, channels, range: [0, 1], preprocessing: 'src/image/preprocess.ts toModelInput: Rec. 601 luma, alpha on black, area-average resize of the whole frame, /255' },
    classes: ['benign', 'malignant'],
    output: 'probability of malignancy',
    threshold: {
      value: threshold,
      rationale: `the highest threshold with sensitivity ≥ ${TARGET_SENSITIVITY} on the validation set: missing a cancer costs more than a benign biopsy, so the operating point favours sensitivity.`,
    },
    data: dataInfo,
    metrics,
    ...(related ? { relatedResults: related.results, comparisons: related.lines } : {}),
    intendedUse: INTENDED_USE,
    limitations: LIMITATIONS,
    training: {
      command: ['npm run train', ...(process.argv.length > 3 ? ['--', ...process.argv.slice(3)] : [])].join(' '),
      runtimeSeconds,
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), tfjs-node ${tf.version.tfjs}`,
      epochsRun: members > 1 ? histories.map((h) => h.length) : history.length,
      bestEpoch: members > 1 ? histories.map((h) => h.reduce((a, b) => (b.valAuc > a.valAuc ? b : a)).epoch) : best.epoch,
      members,
      seed,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      patience: options.patience,
      augmentation: options.augment
        ? `random view from a ${Math.round(100 * options.minCrop)}% area crop to a ${options.maxZoomOut}× zoom-out (black border), aspect ±20%` +
          (options.lesionCropRate > 0 ? `, or for ${Math.round(100 * options.lesionCropRate)}% of images a crop around the lesion (mask box ×1.3–3)` : '') +
          (options.blurRate > 0 ? `, down/up-sampling blur (1.5–2.5×) on ${Math.round(100 * options.blurRate)}% of images` : '') +
          ', horizontal flip, gain ×0.65–1.35, contrast ×0.6–1.3, gamma ×0.70–1.42, multiplicative speckle (σ ≤ 0.2), bright caliper/text-like marks on half the images'
        : 'none',
      lesionLoss: options.lesionWeight > 0 ? `auxiliary lesion-mask loss (weight ${options.lesionWeight}) on the cam_features grid, training only` : 'none',
      standardize: args.standardize ? 'per-image standardisation layer at the input' : 'none',
      history: members > 1 ? histories : history,
    },
  };
  writeJson(join(out, 'card.json'), card);
  writeFileSync(join(out, 'card.md'), cardMarkdown(card));
  writeJson(join(out, 'split.json'), splitRecord);
  if (mnist && !args['keep-model']) {
    // The BreastMNIST model exists to produce a comparable number; it is not shipped, so only its card stays.
    rmSync(join(out, 'model.json'));
    rmSync(join(out, 'weights.bin'));
  }
  writeFileSync(join(out, 'training.svg'), trainingCurves(histories));
  const sets = Object.entries({ test, validation: val, ...(external ? { external } : {}) }).map(([name, s]) => ({ name, ...s }));
  writeFileSync(join(out, 'roc.svg'), rocChart(sets.map((s) => ({ name: s.name, auc: (metrics[s.name === 'test' ? (mnist ? 'breastmnistTest' : 'busiTest') : s.name] as { auc: number }).auc, points: rocCurve(s.scores, s.labels) }))));
  writeFileSync(join(out, 'reliability.svg'), reliabilityChart(sets.map((s) => { const m = summarise(s.scores, s.labels, threshold); return { name: s.name, ece: m.ece, bins: m.reliability }; })));
  process.stderr.write(`wrote ${out} in ${runtimeSeconds.toFixed(0)} s\n`);
  for (const [k, m] of Object.entries(metrics) as [string, { auc: number; aucCi95: number[]; sensitivity: number; specificity: number }][]) {
    process.stdout.write(`${k}: AUC ${m.auc.toFixed(3)} [${m.aucCi95.map((v) => v.toFixed(3)).join(', ')}] sens ${m.sensitivity.toFixed(3)} spec ${m.specificity.toFixed(3)}\n`);
  }
}

async function evaluate(): Promise<void> {
  const { useServingBackend, loadServingClassifier, scoreFiles, scoreRasters } = await import('./serving-eval.ts');
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
    scores = scoreFiles(classifier, decoders, files);
    labels = labelsOf(samples);
  }
  const summary = summarise(scores, labels, card.threshold.value);
  const out = resolve(args.out ?? join(ROOT, 'test-output/evaluate'));
  mkdirSync(out, { recursive: true });
  writeJson(join(out, 'metrics.json'), {
    set: name,
    model: { name: card.name, version: card.version },
    ...summary,
    predictions: scores.map((p, i) => ({ file: files[i] ?? String(i), label: labels[i], probability: p })),
  });
  writeFileSync(join(out, 'roc.svg'), rocChart([{ name, auc: summary.auc, points: rocCurve(scores, labels) }]));
  writeFileSync(join(out, 'reliability.svg'), reliabilityChart([{ name, ece: summary.ece, bins: summary.reliability }]));
  process.stdout.write(
    `${name}: n ${summary.n}, AUC ${summary.auc.toFixed(3)} [${summary.aucCi95.map((v) => v.toFixed(3)).join(', ')}], ` +
      `at threshold ${summary.threshold.toFixed(3)}: sensitivity ${summary.sensitivity.toFixed(3)}, specificity ${summary.specificity.toFixed(3)}, ` +
      `accuracy ${summary.accuracy.toFixed(3)}, ECE ${summary.ece.toFixed(3)} → ${out}\n`,
  );
}

/** Heatmaps against BUSI lesion masks on one part of the model's recorded split (default: test). */
async function camCheckCommand(): Promise<void> {
  const { useServingBackend, loadServingClassifier } = await import('./serving-eval.ts');
  const { camCheck } = await import('./cam-check.ts');
  if (!args.model) throw new Error('--model DIR is required');
  const modelDir = resolve(args.model);
  await useServingBackend();
  const classifier = await loadServingClassifier(modelDir);
  const decoders = await loadNodeDecoders();
  const part = args['busi-split'] ?? 'test';
  const recorded = JSON.parse(readFileSync(join(modelDir, 'split.json'), 'utf8'))[part] as { file: string }[];
  const byFile = new Map(readBusi(join(args.data!, 'busi'), { includeNormal: true }).map((s) => [s.path, s]));
  const samples = recorded.map((r) => byFile.get(join(args.data!, 'busi', r.file))!).filter(Boolean);
  const inputs = loadInputs(samples, decoders, classifier.inputSpec);
  const masks = loadMasks(samples, decoders, classifier.inputSpec);
  for (const [name, keep] of [['all', () => true], ['malignant', (i: number) => samples[i].label === 1]] as const) {
    const picked = samples.map((_, i) => i).filter((i) => keep(i));
    const result = camCheck(classifier, picked.map((i) => inputs[i]), picked.map((i) => masks[i]));
    process.stdout.write(
      `BUSI ${part}, ${name}: ${result.n} images with a lesion; strongest heatmap cell on the lesion in ${(100 * result.pointingHits).toFixed(1)}% ` +
        `(a random cell: ${(100 * result.chanceHits).toFixed(1)}%); ${(100 * result.massOnLesion).toFixed(1)}% of the positive heatmap mass on lesion cells\n`,
    );
  }
  classifier.dispose();
}

const command = positionals[0];
if (command === 'train') await train();
else if (command === 'evaluate') await evaluate();
else if (command === 'cam-check') await camCheckCommand();
else {
  process.stderr.write('usage: tsx train/cli.ts train|evaluate|cam-check [options] (see the header of train/cli.ts)\n');
  process.exit(2);
}
