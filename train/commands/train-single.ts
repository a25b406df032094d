/**
 * `npm run train -- --folder DIR | --npz FILE | --busi-only` (tsx train/cli.ts train-single): one data set (BUSI, a
 * class-folder tree, or BreastMNIST official splits); trains on Node + tfjs-node, then scores the saved model
 * through the serving code on WASM and writes model.json, weights, card.json/card.md, split.json and plots.
 *   [--data DIR] [--out DIR] [--arch edge|seed] [--epochs N] [--patience N] [--seed N]
 *   [--ensemble K] [--folder DIR | --npz FILE] [--include-normal] [--limit N]
 *   [--min-crop AREA] [--zoom-out SIDE] [--blur RATE] [--lesion-weight W] [--lesion-crop RATE]
 *   [--standardize] [--no-augment] [--quantize float32|float16|uint8] [--keep-model]
 */
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags, ROOT } from '../args.ts';
import { describeAugmentation } from '../augment-description.ts';
import { cardMarkdown, INTENDED_USE, LIMITATIONS, NOT_A_MEDICAL_DEVICE } from '../card.ts';
import { readBreastMnist } from '../data/breastmnist.ts';
import { readBusi } from '../data/busi.ts';
import { readBreastLesions } from '../data/external.ts';
import { readClassFolders } from '../data/folders.ts';
import { loadInputs, rastersToInputs } from '../data/load.ts';
import { loadMasks } from '../data/masks.ts';
import { labelsOf, type Sample } from '../data/sample.ts';
import { atThreshold, rocCurve, summarise, thresholdForSensitivity } from '../eval/metrics.ts';
import type { EpochLog, TrainingData } from '../fit.ts';
import { reliabilityChart, rocChart, trainingCurves } from '../plots.ts';
import type { Quantization } from '../quantize.ts';
import { relatedResults } from '../related-results.ts';
import { addToTraining, describeSplit, splitByGroup } from '../split.ts';
import { loadTfjsNode } from '../tfjs-node.ts';
import { writeJson } from '../write-json.ts';

const TARGET_SENSITIVITY = 0.9;

// The defaults are the shipped model's recipe: `npm run train` alone reproduces static/model/.
const OPTIONS = {
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
  name: { type: 'string', default: 'busi-edge-cnn' },
  version: { type: 'string', default: '1.1.0' },
} as const;

/** Runs `npm run train -- [flags]`: fits, evaluates through the serving path and writes the model folder and its card. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, OPTIONS);
  const started = Date.now();
  // tfjs-node is imported here only: evaluation and serving never need it.
  const tf = await loadTfjsNode();
  const { assembleEnsemble, buildArchitecture, INPUT_SHAPES } = await import('../architectures.ts');
  const { fit } = await import('../fit.ts');
  const { quantizeModelDir } = await import('../quantize.ts');
  const { useServingBackend, loadServingClassifier, scoreFiles, scoreRasters } = await import('../eval/serving.ts');

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
      inputs: await loadInputs(busiSplit.train, decoders, spec),
      labels: labelsOf(busiSplit.train),
      // Masks are a training target only (auxiliary loss, lesion-centred crops); the model never sees them.
      ...(useMasks && !args.folder ? { masks: await loadMasks(busiSplit.train, decoders, spec) } : {}),
    };
    valSet = { inputs: await loadInputs(busiSplit.val, decoders, spec), labels: labelsOf(busiSplit.val) };
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
    const scoreSet = async (which: 'val' | 'test') =>
      mnist
        ? { scores: scoreRasters(classifier, mnist[which].rasters), labels: mnist[which].labels }
        : { scores: await scoreFiles(classifier, decoders, busiSplit![which].map((s) => s.path)), labels: labelsOf(busiSplit![which]) };
    const externalRoot = join(args.data!, 'breast-lesions-usg');
    let external: { scores: number[]; labels: number[] } | undefined;
    if (!mnist && !args.folder && existsSync(externalRoot)) {
      const ext = readBreastLesions(externalRoot);
      external = { scores: await scoreFiles(classifier, decoders, ext.map((s) => s.path)), labels: labelsOf(ext) };
    }
    const scored = { val: await scoreSet('val'), test: await scoreSet('test'), external };
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
      command: ['npm run train', ...(argv.length ? ['--', ...argv] : [])].join(' '),
      runtimeSeconds,
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), tfjs-node ${tf.version.tfjs}`,
      epochsRun: members > 1 ? histories.map((h) => h.length) : history.length,
      bestEpoch: members > 1 ? histories.map((h) => h.reduce((a, b) => (b.valAuc > a.valAuc ? b : a)).epoch) : best.epoch,
      members,
      seed,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      patience: options.patience,
      augmentation: options.augment ? describeAugmentation(options) : 'none',
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
