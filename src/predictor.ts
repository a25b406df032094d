import { type ModelCard, type ThresholdScale, thresholdScale } from './model/card.ts';
import type { ActivationMap, Classifier } from './model/classifier.ts';
import type { SeenSet } from './model/seen.ts';
import { applyCalibration } from './model/calibration.ts';
import { decide, type Decision } from './model/decision.ts';
import { type ServedTier, servedTiers, tierOf } from './model/tiers.ts';
import type { Decoders } from './image/codecs.ts';
import { type ImageInfo, imageToModelInput } from './image/input.ts';
import type { ImageLimits } from './image/limits.ts';
import { type Roi, roiMarginOf } from './image/roi.ts';
import { ApiError } from './errors.ts';
import type { Gate, InputCheck } from './gate/gate.ts';
import { imageStats } from './gate/stats.ts';

/** Milliseconds spent in each stage of one prediction. */
export interface StageTimings {
  decode: number;
  preprocess: number;
  inference: number;
  /** The input gate's image statistics and distances (absent without a gate). */
  gate?: number;
  explain?: number;
}

/** A class activation map resampled for clients: values in [0, 1] on a grid laid over the whole image. */
export interface Heatmap {
  rows: number;
  cols: number;
  /** Row-major, 0 = no evidence for malignancy, 1 = the strongest cell in this image. */
  values: number[];
  /** Row-major, the same for the evidence against malignancy (towards benign), scaled to its own strongest cell. */
  benignValues: number[];
  /**
   * Cell (r, c) covers x ∈ [x0 + c·cellWidth, x0 + (c+1)·cellWidth), y ∈ [y0 + r·cellHeight, y0 + (r+1)·cellHeight)
   * in original-image pixels. The grid covers what the model read: the whole image (x0 = y0 = 0) or, in box
   * mode, the crop box.
   */
  cellWidth: number;
  cellHeight: number;
  x0: number;
  y0: number;
}

/** The answer for one image: the original API's three fields first, then ours. */
export interface Prediction {
  prediction: string;
  description: string;
  classification: string;
  /** The operating-point decision: score ≥ threshold → flagged. */
  decision: Decision;
  decisionText: string;
  /** Calibrated probability of malignancy when `calibrated`, else the raw score. */
  probability: number;
  /** The model's raw output. */
  score: number;
  calibrated: boolean;
  /** Which of `score` and `probability` the threshold (and so the decision and tier) applies to. */
  thresholdOn: ThresholdScale;
  tier: string;
  threshold: number;
  aboveThreshold: boolean;
  image: ImageInfo;
  model: { name: string; version: string };
  timings: StageTimings;
  /** `roi` when a lesion box was given (the model read only the crop box), `whole` otherwise. */
  mode: 'roi' | 'whole';
  /** In box mode, the crop box the model read (user's box clipped, grown by the margin, clipped again). */
  roi?: Roi;
  heatmap?: Heatmap;
  /** True when these exact file bytes were a training image (absent when the bundle carries no seen.bin). */
  seenInTraining?: boolean;
  /** How much the input looks like the ultrasound the model was trained on (absent when the bundle has no gate). */
  inputCheck?: InputCheck;
}

/** One image's outcome: its prediction, or the error that image alone caused. */
export type ImageOutcome = Prediction | ApiError;

/** Turns image bytes into predictions: decode → preprocess → classify → tier, with per-stage timings. */
export class Predictor {
  constructor(
    readonly classifier: Classifier,
    readonly decoders: Decoders,
    readonly card: ModelCard,
    /** The training images' hash prefixes (seen.bin), when the bundle has them. */
    readonly seen?: SeenSet,
    /** The input gate (gate.json), when the bundle has one. */
    readonly gate?: Gate,
  ) {}

  #tiers?: ServedTier[];

  /** The six tiers re-based on this card's threshold and calibration (src/model/tiers.ts). */
  get tiers(): ServedTier[] {
    return (this.#tiers ??= servedTiers(this.card.threshold.value, this.card.calibration, thresholdScale(this.card)));
  }

  /**
   * Starts looking each image up in seen.bin (undefined without one). Call it before predictMany: the hashing
   * is an async digest that Deno runs on another thread, beside decoding and inference (issue 17).
   */
  lookupSeen(images: Uint8Array[]): Promise<boolean[]> | undefined {
    const seen = this.seen;
    if (!seen) return undefined;
    const lookup = Promise.all(images.map((bytes) => seen.contains(bytes)));
    lookup.catch(() => {}); // awaited by markSeen; a request that fails before then must not leave it unhandled
    return lookup;
  }

  /** Flags each successful answer whose image bytes were a training image; a no-op without seen.bin. */
  async markSeen(images: Uint8Array[], outcomes: ImageOutcome[], lookup = this.lookupSeen(images)): Promise<void> {
    if (!lookup) return;
    const seen = await lookup;
    outcomes.forEach((o, i) => {
      if (!(o instanceof ApiError)) o.seenInTraining = seen[i];
    });
  }

  /**
   * Predicts for each image; one bad image yields its own error entry and does not fail the others. Images
   * not started before `deadline` (a performance.now() time) get a 503 timeout entry instead. With `check`, an
   * image the gate flags as not ultrasound gets a 422 not_ultrasound entry; without, its answer says flagged.
   * `frames` picks the 1-based frame of each multi-frame image (default the first).
   */
  async predictMany(
    images: Uint8Array[],
    limits: ImageLimits,
    explain = false,
    deadline = Infinity,
    rois: readonly (Roi | undefined)[] = [],
    check = true,
    frames: readonly (number | undefined)[] = [],
  ): Promise<ImageOutcome[]> {
    const spec = this.classifier.inputSpec;
    type Prepared = { input: Float32Array; image: ImageInfo; box?: Roi; stats?: Float64Array; statsTime: number; decode: number; preprocess: number };
    const prepared: (ApiError | Prepared)[] = [];
    for (const [i, bytes] of images.entries()) { // one at a time: each decode's memory is dropped before the next
      try {
        if (performance.now() > deadline) throw new ApiError(503, 'timeout', 'The request ran out of time before this image');
        // The answer and heatmap report the file's own upright size (from its header), not a reduced decode's.
        const { input, image, box, raster, timings } = await imageToModelInput(bytes, this.decoders, spec, limits, { roi: rois[i], roiMargin: this.roiMargin, frame: frames[i] });
        const t2 = performance.now();
        // Colour is only in the raster, so the gate's statistics are taken before it is dropped.
        const stats = this.gate ? imageStats(raster, input, spec) : undefined;
        const statsTime = performance.now() - t2;
        prepared.push({ input, image, box, stats, statsTime, decode: timings.decode, preprocess: timings.preprocess });
      } catch (err) {
        if (err instanceof ApiError) prepared.push(err);
        else throw err;
      }
    }
    const ok = prepared.filter((p): p is Exclude<typeof p, ApiError> => !(p instanceof ApiError));
    const t0 = performance.now();
    // The gate reads the pooled features of the same forward pass that gives the probability.
    // With explain, the activation maps come from that pass too (no second forward pass per heatmap).
    const withMaps = explain && this.classifier.explainable;
    const { probabilities, features, maps } = this.gate || withMaps
      ? this.classifier.classifyWithFeatures(ok.map((p) => p.input), withMaps)
      : { probabilities: this.classifier.classify(ok.map((p) => p.input)), features: null, maps: undefined };
    const inference = ok.length ? (performance.now() - t0) / ok.length : 0;
    let next = 0;
    return prepared.map((p) => {
      if (p instanceof ApiError) return p;
      const index = next++;
      const probability = probabilities[index];
      const timings: StageTimings = { decode: p.decode, preprocess: p.preprocess, inference };
      const result = this.describe(probability, p.image, timings);
      if (this.gate && features && p.stats) {
        const t = performance.now();
        const inputCheck = this.gate.check(features[index], p.stats);
        timings.gate = p.statsTime + performance.now() - t;
        if (inputCheck.flagged && check) return notUltrasound(inputCheck);
        result.inputCheck = inputCheck;
      }
      result.mode = p.box ? 'roi' : 'whole';
      if (p.box) result.roi = p.box;
      if (explain && this.classifier.explainable) {
        const t = performance.now();
        result.heatmap = this.heatmap(maps![index], p.box ?? { x: 0, y: 0, width: p.image.width, height: p.image.height });
        timings.explain = performance.now() - t;
      }
      return result;
    });
  }

  private describe(score: number, image: ImageInfo, timings: StageTimings): Prediction {
    const threshold = this.card.threshold.value;
    const probability = applyCalibration(score, this.card.calibration);
    const thresholdOn = thresholdScale(this.card);
    const value = thresholdOn === 'probability' ? probability : score;
    const tier = tierOf(value, this.tiers);
    return {
      prediction: probability.toFixed(2),
      description: tier.description,
      classification: tier.classification,
      ...decide(value, threshold, thresholdOn === 'probability' ? 'calibrated model score' : 'model score'),
      probability,
      score,
      calibrated: this.card.calibration !== undefined,
      thresholdOn,
      tier: tier.id,
      threshold,
      aboveThreshold: value >= threshold,
      image,
      model: { name: this.card.name, version: this.card.version },
      timings,
      mode: 'whole',
    };
  }

  /** The margin box mode adds around the user's box (see roiMarginOf). */
  get roiMargin(): number {
    return roiMarginOf(this.card);
  }

  /** The map over `region` (the whole image, or the crop box the model read), in original-image pixels. */
  private heatmap(map: ActivationMap, region: Roi): Heatmap {
    // Each side of the evidence is scaled to its own strongest cell: on a benign-looking image the (weak) evidence
    // for malignancy tends to sit on burned-in text and borders, so clients should show the side the model leans to.
    const side = (sign: 1 | -1) => {
      let max = 0;
      for (const v of map.values) max = Math.max(max, sign * v);
      return Array.from(map.values, (v) => (max > 0 ? Math.round((Math.max(0, sign * v) / max) * 1000) / 1000 : 0));
    };
    return {
      rows: map.rows,
      cols: map.cols,
      values: side(1),
      benignValues: side(-1),
      cellWidth: region.width / map.cols,
      cellHeight: region.height / map.rows,
      x0: region.x,
      y0: region.y,
    };
  }
}

/** The 422 a flagged image answers (unless check=off): a plain message and the gate's score. */
function notUltrasound(inputCheck: InputCheck): ApiError {
  return new ApiError(
    422,
    'not_ultrasound',
    'This does not look like a breast ultrasound image, so no classification is given. ' +
      'Send a B-mode breast ultrasound frame, or add check=off to classify it anyway.',
    { inputCheck },
  );
}
