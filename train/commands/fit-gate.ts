/**
 * Fits the input gate for a model and writes <model>/gate.json (served beside model.json; see docs/gate.md).
 *   npm run fit-gate -- --model static/model [--data ../shared/data] [--rank 32] [--pass 0.99]
 *   (= npx tsx train/commands/fit-gate.ts --model static/model …)
 * Reads the images the model's split.json lists: `train` for the Gaussians, `val` for the threshold (no test
 * or external image is read). Every image goes through the serving path (decode → preprocess → forward pass).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type GateJson } from '../../src/gate/format.ts';
import { fullDistance, lowRankDistance } from '../../src/gate/distance.ts';
import { modelFingerprint } from '../../src/gate/fingerprint.ts';
import { Gate } from '../../src/gate/gate.ts';
import { measureImage } from '../../src/gate/measure.ts';
import { IMAGE_STAT_NAMES } from '../../src/gate/stats.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { Classifier } from '../../src/model/classifier.ts';
import { parseModelCard } from '../../src/model/card.ts';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { calibrate, fitFullGaussian, fitLowRankGaussians, logScale, quantile, SHRINKAGE } from '../gate/fit.ts';
import { readModelFiles } from '../gate/model-files.ts';
import { countBySite, readSplitPart, type SplitImage } from '../gate/split-images.ts';
import { useServingBackend } from '../eval/serving.ts';
import { readTrainingSites } from '../data/sites.ts';
import { lesionBox } from '../data/views.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Fits and writes <model>/gate.json (flags in the header above). */
export async function run(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: join(ROOT, 'static/model') },
      data: { type: 'string', default: process.env.DATA_DIR ?? resolve(ROOT, '../shared/data') },
      rank: { type: 'string', default: '32' },
      pass: { type: 'string', default: '0.99' },
      'stat-floor': { type: 'string', default: '0.01' },
    },
  });
  const modelDir = resolve(args.model!);
  const pass = Number(args.pass);

  await useServingBackend();
  const decoders = await loadNodeDecoders();
  const { artifacts, card } = readModelFiles(modelDir);
  const { name, version } = parseModelCard(card);
  const classifier = await Classifier.fromArtifacts(artifacts);
  const featureDim = classifier.pooledFeatureDim;
  if (!featureDim) throw new Error('The model has no pooled layer named "gap"; the gate needs one');

  // Box mode shows the model (and so the gate) a crop of the lesion box: the gate learns and is thresholded on both
  // views, each image's whole frame and its expert box, or it would refuse a fifth of legitimate box-mode requests.
  const samples = new Map(readTrainingSites(args.data!).map((s) => [s.path, s]));
  async function measureAll(images: SplitImage[], label: string) {
    const started = performance.now();
    const out = [];
    const labels: number[] = [];
    let boxes = 0;
    for (const img of images) {
      const bytes = new Uint8Array(readFileSync(img.path));
      out.push(await measureImage(bytes, decoders, classifier, DEFAULT_IMAGE_LIMITS));
      labels.push(img.label);
      const sample = samples.get(img.path);
      const box = sample && (await lesionBox(sample, decoders));
      if (box) {
        out.push(await measureImage(bytes, decoders, classifier, DEFAULT_IMAGE_LIMITS, box));
        labels.push(img.label);
        boxes++;
      }
    }
    console.log(`measured ${images.length} ${label} images and ${boxes} of their lesion boxes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { measurements: out, labels, boxes };
  }

  const train = readSplitPart(modelDir, args.data!, 'train');
  const val = readSplitPart(modelDir, args.data!, 'val');
  const { measurements: trainM, labels: trainLabels, boxes: trainBoxes } = await measureAll(train, 'training');
  const { measurements: valM, boxes: valBoxes } = await measureAll(val, 'validation');

  const rank = Math.min(Number(args.rank), Math.floor(train.length / 10));
  const features = fitLowRankGaussians(trainM.map((m) => m.features), trainLabels, rank);
  const image = fitFullGaussian(trainM.map((m) => m.stats), Number(args['stat-floor']));
  const draft: GateJson = {
    format: 'ultrasound-gate/1',
    model: { name, version, fingerprint: await modelFingerprint(artifacts), featureLayer: 'gap', featureDim },
    features: { ...features, scale: logScale(trainM.map((m) => lowRankDistance(m.features, features))) },
    image: {
      names: [...IMAGE_STAT_NAMES],
      ...image,
      scale: logScale(trainM.map((m) => fullDistance(m.stats, image.mean, image.precision))),
    },
    combine: { zThreshold: 0, zScale: 1 },
    calibration: {},
  };
  // The threshold comes from validation images only, scored with the (rounded) statistics the server will use.
  const zOf = (gate: Gate) => valM.map((m) => gate.evidence(m.features, m.stats)).map((e) => Math.max(e.features, e.image));
  const combine = calibrate(zOf(Gate.fromJson(round(draft))), pass);
  const gateJson: GateJson = round({
    ...draft,
    combine,
    calibration: {
      method: 'max of two z-scores against the training images: Mahalanobis distance of the pooled `gap` features ' +
        'to class-conditional Gaussians with one shared covariance (rank-k plus isotropic, shrunk), and Mahalanobis ' +
        'distance of image statistics (gray-level histogram, speckle, flat areas, colour) to one Gaussian',
      fittedOn: { part: 'train', images: train.length, bySite: countBySite(train), lesionBoxes: trainBoxes },
      thresholdOn: { part: 'val', images: val.length, bySite: countBySite(val), lesionBoxes: valBoxes, pass },
      rank: features.components.length,
      shrinkage: SHRINKAGE,
      statVarianceFloor: Number(args['stat-floor']),
      syntheticNegatives: 'not used for fitting or the threshold (only to measure the gate: scripts/gate-eval.ts)',
      command: 'npm run fit-gate -- --model ' + (args.model ?? 'static/model'),
    },
  });
  const out = join(modelDir, 'gate.json');
  const text = JSON.stringify(gateJson) + '\n';
  writeFileSync(out, text);

  const served = Gate.fromJson(gateJson);
  const flaggedVal = valM.filter((m) => served.check(m.features, m.stats).flagged).length;
  const flaggedTrain = trainM.filter((m) => served.check(m.features, m.stats).flagged).length;
  console.log(`wrote ${out} (${(text.length / 1024).toFixed(1)} KB): model ${name} ${version}, ${featureDim} pooled features, rank ${gateJson.features.components.length}`);
  console.log(`zThreshold ${combine.zThreshold.toFixed(3)} (validation ${pass} quantile), median validation z ${quantile(zOf(served), 0.5).toFixed(3)}`);
  console.log(`flagged (whole frames and boxes): validation ${flaggedVal}/${valM.length}, training ${flaggedTrain}/${trainM.length}`);
  classifier.dispose();
}

/** Rounds every number to 6 significant digits (keeps gate.json small; the threshold is set after rounding). */
function round<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(6)) : v)));
}

// Also runnable on its own: npx tsx train/commands/fit-gate.ts --model DIR
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
