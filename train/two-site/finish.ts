import { cpus, loadavg } from 'node:os';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { applyCalibration, type Calibration } from '../../src/model/calibration.ts';
import { ROI_MARGIN } from '../../src/image/roi.ts';
import { TIER_MAPPING } from '../../src/model/tiers.ts';
import { fitPlatt } from '../calibration.ts';
import { INTENDED_USE, NOT_A_MEDICAL_DEVICE } from '../card.ts';
import { describeSiteSplit } from '../data/sites.ts';
import type { Sample } from '../data/sample.ts';
import type { Views } from '../data/views.ts';
import { midpointThreshold, rocAuc, rocCurve } from '../eval/metrics.ts';
import { loadServingClassifier, useServingBackend } from '../eval/serving.ts';
import type { EpochLog } from '../fit.ts';
import { reliabilityChart, rocChart, trainingCurves } from '../plots.ts';
import { KEEP_FLOAT32, quantizeModelDir } from '../quantize.ts';
import { writeSeenFile } from '../seen-hashes.ts';
import type { Split } from '../split.ts';
import { writeJson } from '../write-json.ts';
import { relatedResults } from '../related-results.ts';
import { ROOT } from '../args.ts';
import { twoSiteCardMarkdown, TWO_SITE_LIMITATIONS } from './card.ts';
import { recipeOf } from './recipe.ts';
import { aucWithCi, breakdown, describeSet, meanLogit, mirrored, scoreOne } from './report.ts';

const TARGET_SENSITIVITY = 0.9;

/** Everything the train command hands over once the models are trained. */
export interface FinishInput {
  out: string;
  argv: string[];
  args: Record<string, unknown> & { arch: string; size: number; data?: string; quantize?: string; name?: string; version?: string };
  started: number;
  parameters: number;
  trainerDescription: string;
  history: EpochLog[];
  samples: Sample[];
  split: Split;
  views: Views[];
  labels: number[];
  ids: (part: Sample[]) => number[];
  /** The card's leave-one-site-out section (`summariseLoso`; a re-report keeps its card's). */
  leaveOneSiteOut: Record<string, unknown>;
  /** The weight format already on disk (a re-report does not quantise again). */
  weightFormat?: string;
  breast: Sample[];
  breastViews: Views[];
  log: (m: string) => void;
}

/**
 * Scores the saved model through the serving Classifier (WASM, batch 1), fits calibration and the threshold on
 * validation only, reports every set, and writes the card, plots, split.json and seen.bin.
 */
export async function evaluateAndWrite(input: FinishInput): Promise<void> {
  const { out, args, views, labels, ids, split, log } = input;
  await useServingBackend();
  const valIdx = ids(split.val);
  const testIdx = (site: string) => ids(split.test.filter((s) => s.site === site));
  const scoreAll = async () => {
    const classifier = await loadServingClassifier(out);
    const { width, channels } = classifier.inputSpec;
    // One set's scores: whole images, their mirror images (TTA) and the expert-box views; `idx` indexes `source`.
    const scoreSet = (idx: number[], source: Views[]) => {
      const boxIdx = idx.filter((i) => source[i].crops.length > 0);
      return {
        idx,
        whole: scoreOne(classifier, idx.map((i) => source[i].whole)),
        flip: scoreOne(classifier, idx.map((i) => mirrored(source[i].whole, width, channels))),
        boxIdx,
        box: scoreOne(classifier, boxIdx.map((i) => source[i].crops[0])),
      };
    };
    const sets = { val: scoreSet(valIdx, views), busiTest: scoreSet(testIdx('busi'), views), busbraTest: scoreSet(testIdx('busbra'), views) };
    const breast = scoreSet(input.breastViews.map((_, i) => i), input.breastViews);
    // CPU time of one prediction on this backend (batch 1, warm), the model's share of a request.
    classifier.warmUp();
    const times: number[] = [];
    for (let k = 0; k < 40; k++) {
      const t = performance.now();
      classifier.classify([views[valIdx[k % valIdx.length]].whole]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    classifier.dispose();
    return { sets, breast, inferenceMs: times[Math.floor(times.length / 2)] };
  };

  log('scoring the saved float32 model through the serving path');
  let scored = await scoreAll();
  let weightFormat = input.weightFormat ?? 'float32';
  // Smaller weights are accepted when they keep the validation AUC within 0.005 of float32 (the threshold and the
  // calibration are then fitted on the quantised model's own validation scores, so discrimination is what must
  // survive; how many images cross the float32 threshold is recorded). uint8 falls back to float16, then float32.
  // Every number reported below is measured on the weights that ship.
  const formats = args.quantize === 'uint8' ? ['uint8', 'float16'] as const : args.quantize === 'float16' ? ['float16'] as const : [];
  const float32 = { json: readFileSync(join(out, 'model.json')), weights: readFileSync(join(out, 'weights.bin')) };
  const before = scored.sets.val.whole;
  const valLabelsBefore = valIdx.map((i) => labels[i]);
  const cut = midpointThreshold(before, valLabelsBefore, TARGET_SENSITIVITY);
  const tried: string[] = [];
  for (const format of formats) {
    writeFileSync(join(out, 'model.json'), float32.json);
    writeFileSync(join(out, 'weights.bin'), float32.weights);
    quantizeModelDir(out, format, { keep: KEEP_FLOAT32 });
    const after = await scoreAll();
    const flips = after.sets.val.whole.filter((p, i) => (p >= cut) !== (before[i] >= cut)).length;
    const maxDelta = Math.max(...after.sets.val.whole.map((p, i) => Math.abs(p - before[i])));
    const aucDelta = rocAuc(after.sets.val.whole, valLabelsBefore) - rocAuc(before, valLabelsBefore);
    const what = `max |Δp| ${maxDelta.toExponential(1)}, validation AUC ${aucDelta >= 0 ? '+' : ''}${aucDelta.toFixed(4)}, ${flips} of ${before.length} validation images across the threshold`;
    log(`${format}: ${what}`);
    if (Math.abs(aucDelta) <= 0.005) {
      weightFormat = `${format} kernels, float32 batch-norm statistics, biases and depthwise kernels (against float32: ${what})${tried.length ? `; tried first: ${tried.join(', ')}` : ''}`;
      scored = after;
      break;
    }
    tried.push(`${format} (${what})`);
  }
  if (weightFormat === 'float32') {
    writeFileSync(join(out, 'model.json'), float32.json);
    writeFileSync(join(out, 'weights.bin'), float32.weights);
    if (tried.length) weightFormat = `float32 (tried: ${tried.join(', ')})`;
  }

  // ---- calibration and threshold: validation only (both sites), whole-image mode
  const { sets, breast } = scored;
  const valLabels = valIdx.map((i) => labels[i]);
  const calibration: Calibration = { ...fitPlatt(sets.val.whole, valLabels), fittedOn: 'validation (BUSI + BUS-BRA, whole images)', n: valLabels.length };
  const servedVal = sets.val.whole.map((p) => applyCalibration(p, calibration));
  // The card's threshold applies to the raw score (src/predictor.ts); Platt scaling is monotone, so the same cut on
  // the served (calibrated) scale is its image, used for the reports below.
  const rawThreshold = midpointThreshold(sets.val.whole, valLabels, TARGET_SENSITIVITY);
  const threshold = applyCalibration(rawThreshold, calibration);
  const lab = (idx: number[]) => idx.map((i) => labels[i]);
  const bl = input.breast.map((s) => s.label);
  const set = (d: string, raw: number[], l: number[]) => describeSet(d, raw, l, calibration, threshold);
  const metrics = {
    validation: set('Validation, both sites (chose epoch, threshold, calibration)', sets.val.whole, valLabels),
    busiTest: set('BUSI held-out test (group-disjoint)', sets.busiTest.whole, lab(sets.busiTest.idx)),
    busbraTest: set('BUS-BRA held-out test (patient-disjoint)', sets.busbraTest.whole, lab(sets.busbraTest.idx)),
    external: set('BrEaST-Lesions_USG (external, Poland; reported once, never chosen on)', breast.whole, bl),
    validationBox: set('Validation, box mode (expert boxes)', sets.val.box, lab(sets.val.boxIdx)),
    busiTestBox: set('BUSI test, box mode', sets.busiTest.box, lab(sets.busiTest.boxIdx)),
    busbraTestBox: set('BUS-BRA test, box mode', sets.busbraTest.box, lab(sets.busbraTest.boxIdx)),
    externalBox: set('BrEaST, box mode (expert boxes; reported once)', breast.box, breast.boxIdx.map((i) => bl[i])),
  };
  const tta = {
    description: 'test-time augmentation: mean logit of the image and its mirror image (two forward passes)',
    validation: aucWithCi(meanLogit(sets.val.whole, sets.val.flip), valLabels),
    busiTest: aucWithCi(meanLogit(sets.busiTest.whole, sets.busiTest.flip), lab(sets.busiTest.idx)),
    busbraTest: aucWithCi(meanLogit(sets.busbraTest.whole, sets.busbraTest.flip), lab(sets.busbraTest.idx)),
    external: aucWithCi(meanLogit(breast.whole, breast.flip), bl),
  };
  const { leaveOneSiteOut } = input;
  const braVal = valIdx.filter((i) => input.samples[i].site === 'busbra');
  const braServed = braVal.map((i) => applyCalibration(sets.val.whole[valIdx.indexOf(i)], calibration));
  const breakdowns = {
    busbraValidationByScanner: breakdown(braVal.map((i) => input.samples[i].device), braServed, lab(braVal), threshold),
    busbraValidationByBirads: breakdown(braVal.map((i) => input.samples[i].birads), braServed, lab(braVal), threshold),
    validationBySite: breakdown(valIdx.map((i) => input.samples[i].site), servedVal, valLabels, threshold),
  };

  const seenCount = await writeSeenFile(ids(split.train).map((i) => input.samples[i].path), join(out, 'seen.bin'));
  writeJson(join(out, 'split.json'), describeSiteSplit(split, args.data!));
  const count = (part: Sample[], site: string, label: number) => part.filter((s) => s.site === site && s.label === label).length;
  const card = {
    name: args.name,
    version: args.version,
    createdAt: new Date().toISOString(),
    notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
    architecture: {
      name: input.trainerDescription,
      parameters: input.parameters,
      weightsBytes: statSync(join(out, 'weights.bin')).size,
      weightFormat,
      pretrained: args.arch === 'mnv2' ? (await import('../pretrained/mobilenet-v2.ts')).MOBILENET_V2_SOURCE : 'none (trained from scratch)',
    },
    input: { height: args.size, width: args.size, channels: 1, range: [0, 1], preprocessing: 'src/image/preprocess.ts toModelInput: Rec. 601 luma, alpha on black, area-average resize of the whole frame (or of the box + margin in box mode), /255' },
    roi: { margin: ROI_MARGIN, training: 'one model for both modes: about 30 % of training views are lesion boxes (the expert box scaled ×0.85–1.35 per side and moved ±10 %, then cropped with the serving margin)' },
    classes: ['benign', 'malignant'],
    output: 'probability of malignancy (calibrated on validation, see calibration)',
    threshold: {
      value: rawThreshold,
      calibrated: threshold,
      rationale: `halfway between two validation scores, the highest cut with sensitivity ≥ ${TARGET_SENSITIVITY} on the validation images of both sites: missing a cancer costs more than a benign biopsy. It applies to the raw score; ${threshold.toFixed(3)} on the calibrated scale.`,
    },
    calibration,
    tierMapping: TIER_MAPPING,
    data: {
      description: 'Two training sites: BUSI (Baheya Hospital, Cairo; GE LOGIQ E9) and BUS-BRA (National Cancer Institute, Rio de Janeiro; GE Logiq 5 and 7). External report: BrEaST-Lesions_USG (Poland), never used to train or to choose anything.',
      sources: [
        'BUSI: Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28 (2020) 104863 (research use with citation).',
        'BUS-BRA: Gómez-Flores W, Gregorio-Calas MJ, Pereira WCA. BUS-BRA: a breast ultrasound dataset for assessing computer-aided diagnosis systems. Medical Physics 51 (2024) 3110–3123.',
        'BrEaST-Lesions_USG (external report only): Pawłowska A. et al. Scientific Data 11 (2024) 148 (CC BY 4.0).',
      ],
      splitProtocol: 'each site split on its own, stratified, 70/15/15 train/validation/test, seeded: BUSI by near-duplicate group (manifest.csv neardup_group), BUS-BRA by patient. Validation (both sites) chose the epoch, the calibration and the threshold; the recipe was chosen on validation and leave-one-site-out AUC (docs/model.md); BrEaST was scored once for the report.',
      counts: Object.fromEntries((['train', 'val', 'test'] as const).map((p) => [p, `${split[p].length} (BUSI ${count(split[p], 'busi', 0)} benign / ${count(split[p], 'busi', 1)} malignant; BUS-BRA ${count(split[p], 'busbra', 0)} / ${count(split[p], 'busbra', 1)})`])),
      external: `${input.breast.length} BrEaST images (${bl.filter((l) => l === 1).length} malignant)`,
    },
    metrics,
    leaveOneSiteOut,
    testTimeAugmentation: tta,
    ...(() => {
      const related = relatedResults(join(ROOT, 'train/results'), out);
      return related ? { relatedResults: related.results, comparisons: related.lines } : {};
    })(),
    breakdowns,
    speed: { inferenceMsMedian: scored.inferenceMs, backend: 'tfjs WASM (Node, batch 1) at training time', loadAverage: loadavg()[0] },
    seenInTraining: { file: 'seen.bin', images: seenCount },
    intendedUse: INTENDED_USE,
    limitations: TWO_SITE_LIMITATIONS,
    training: {
      command: ['npm run train', ...(input.argv.length ? ['--', ...input.argv] : [])].join(' '),
      runtimeSeconds: (Date.now() - input.started) / 1000,
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), tfjs-node ${tf.version.tfjs}`,
      flags: args,
      ...recipeOf(args),
      epochsRun: input.history.length,
      bestEpoch: input.history.reduce((a, b) => (b.valAuc > a.valAuc ? b : a)).epoch,
      history: input.history,
    },
  };
  writeJson(join(out, 'card.json'), card);
  writeFileSync(join(out, 'card.md'), twoSiteCardMarkdown(card));
  writeFileSync(join(out, 'training.svg'), trainingCurves([input.history]));
  const curves = [
    { name: 'validation', s: sets.val.whole, l: valLabels },
    { name: 'BUSI test', s: sets.busiTest.whole, l: lab(sets.busiTest.idx) },
    { name: 'BUS-BRA test', s: sets.busbraTest.whole, l: lab(sets.busbraTest.idx) },
    { name: 'BrEaST (external)', s: breast.whole, l: bl },
  ];
  writeFileSync(join(out, 'roc.svg'), rocChart(curves.map((c) => ({ name: c.name, auc: aucWithCi(c.s, c.l).auc, points: rocCurve(c.s, c.l) }))));
  writeFileSync(join(out, 'reliability.svg'), reliabilityChart(curves.map((c) => {
    const m = describeSet(c.name, c.s, c.l, calibration, threshold);
    return { name: c.name, ece: m.ece, bins: m.reliability };
  })));
  log(`wrote ${out}`);
  for (const [k, m] of Object.entries(metrics)) {
    process.stdout.write(`${k}: AUC ${m.auc.toFixed(3)} [${m.aucCi95.map((v) => v.toFixed(3)).join(', ')}] sens ${m.sensitivity.toFixed(3)} spec ${m.specificity.toFixed(3)}\n`);
  }
  for (const [k, m] of Object.entries(leaveOneSiteOut as Record<string, { whole: { auc: number }; box: { auc: number } }>)) {
    process.stdout.write(`LOSO ${k}: whole ${m.whole.auc.toFixed(3)} box ${m.box.auc.toFixed(3)}\n`);
  }
}
