import * as tf from '@tensorflow/tfjs-node';
import { withLesionHead } from './architectures.ts';
import { augmentBatch } from './augment.ts';
import type { LesionMask } from './data/masks.ts';
import { rocAuc } from './eval/metrics.ts';
import { ProgressBar } from './progress.ts';
import { seededRandom, shuffled } from './random.ts';

/** Training settings. */
export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Stop after this many epochs without a better validation AUC (the best weights are kept). */
  patience: number;
  seed: number;
  augment: boolean;
  /** Smallest random crop, as a fraction of the image area. */
  minCrop: number;
  /** Largest zoom-out (side relative to the image; 1 = none). */
  maxZoomOut?: number;
  /** Share of images blurred by down- and up-sampling. */
  blurRate?: number;
  /** Weight of the auxiliary lesion-mask loss (0 = off; needs masks in the training data). */
  lesionWeight?: number;
  /** Share of training images cropped around their lesion (needs masks). */
  lesionCropRate?: number;
  /** Share of training images shown as one of their other views (`TrainingData.altViews`) instead of `inputs`. */
  altViewRate?: number;
}

/** Training data: model inputs, labels (1 = malignant) and, when the data set has them, lesion masks. */
export interface TrainingData {
  inputs: Float32Array[];
  labels: number[];
  masks?: LesionMask[];
  /**
   * Per image, other inputs of the same image (augmented views, lesion-box views as the server crops them); each epoch
   * shows one of them instead of `inputs[i]` at `altViewRate`. Lets training run on cached features of a frozen stem.
   */
  altViews?: Float32Array[][];
  /**
   * Lesion targets already on the head's grid, for inputs that are not images (cached stem features): `inputs[i]`
   * has `grid.inputs[i]`, `altViews[i][k]` has `grid.alt[i][k]`. Used instead of `masks` when given.
   */
  grid?: { inputs: Float32Array[]; alt: Float32Array[][] };
}

/**
 * Binary cross-entropy with per-class weights (malignant cases are the minority), written as a loss function so
 * it also works for a model with a second output, where tfjs' classWeight does not.
 */
function weightedBce(negativeWeight: number, positiveWeight: number) {
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const p = yPred.clipByValue(1e-7, 1 - 1e-7);
      const weights = yTrue.mul(positiveWeight - negativeWeight).add(negativeWeight);
      return yTrue.mul(p.log()).add(tf.scalar(1).sub(yTrue).mul(tf.scalar(1).sub(p).log())).neg().mul(weights).mean(-1);
    });
}

/** Plain binary cross-entropy of a map times a weight (tfjs has no lossWeights), one value per image. */
function scaledBce(weight: number) {
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => tf.metrics.binaryCrossentropy(yTrue, yPred).mean([1, 2]).mul(weight));
}

/** Per-cell lesion cover on the cam_features grid: the mask averaged over each cell. */
export function lesionTargets(masks: tf.Tensor4D, grid: [number, number]): tf.Tensor4D {
  const [, h, w] = masks.shape;
  return tf.avgPool(masks, [h / grid[0], w / grid[1]], [h / grid[0], w / grid[1]], 'valid');
}

/** One epoch's record, for the training-curve plot and the model card. */
export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number;
  valAuc: number;
  seconds: number;
}

/** Stacks HWC inputs into one [N, H, W, C] tensor. */
export function stack(inputs: Float32Array[], shape: [number, number, number]): tf.Tensor4D {
  const size = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(inputs.length * size);
  inputs.forEach((x, i) => data.set(x, i * size));
  return tf.tensor4d(data, [inputs.length, ...shape]);
}

/** Probabilities for inputs, in batches (training-side evaluation; the card's numbers use the serving path). */
export function predictScores(model: tf.LayersModel, inputs: Float32Array[], shape: [number, number, number]): number[] {
  const scores: number[] = [];
  for (let i = 0; i < inputs.length; i += 64) {
    const batch = stack(inputs.slice(i, i + 64), shape);
    const out = model.predict(batch) as tf.Tensor;
    scores.push(...out.dataSync());
    tf.dispose([batch, out]);
  }
  return scores;
}

/**
 * Trains with class weights (malignant cases are the minority), fresh augmentation every epoch, and early
 * stopping on validation AUC; restores the best epoch's weights before returning.
 */
export async function fit(
  model: tf.LayersModel,
  train: TrainingData,
  val: { inputs: Float32Array[]; labels: number[] },
  options: FitOptions,
): Promise<EpochLog[]> {
  const shape = model.inputs[0].shape.slice(1) as [number, number, number];
  const random = seededRandom(options.seed);
  const positives = train.labels.filter((l) => l === 1).length;
  const negatives = train.labels.length - positives;
  const classLoss = weightedBce(train.labels.length / (2 * negatives), train.labels.length / (2 * positives));
  const optimizer = tf.train.adam(options.learningRate);
  const lesionWeight = train.masks || train.grid ? (options.lesionWeight ?? 0) : 0;
  // The twin shares every layer with `model`; only `model` (one output) is saved and served.
  const trainer = lesionWeight > 0 ? withLesionHead(model, options.seed) : model;
  const grid = lesionWeight > 0 ? (trainer.outputs[1].shape.slice(1, 3) as [number, number]) : undefined;
  trainer.compile(
    lesionWeight > 0
      ? { optimizer, loss: [classLoss, scaledBce(lesionWeight)] }
      : { optimizer, loss: classLoss },
  );

  const valX = stack(val.inputs, shape);
  const valY = tf.tensor2d(val.labels, [val.labels.length, 1]);
  const batches = Math.ceil(train.inputs.length / options.batchSize);
  const bar = new ProgressBar(options.epochs, batches);
  const history: EpochLog[] = [];
  let best = { auc: -Infinity, epoch: -1, weights: [] as tf.Tensor[] };

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const started = Date.now();
    // Cosine decay to 5% of the initial rate over the planned epochs.
    const lr = options.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * epoch) / options.epochs)));
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const order = shuffled(train.inputs.map((_, i) => i), random);
    // A share of the images is shown as one of its other views (pre-augmented, or a lesion box cropped as the server does).
    const picks = order.map((i) => {
      const boxes = train.altViews?.[i] ?? [];
      return boxes.length && random() < (options.altViewRate ?? 0) ? Math.floor(random() * boxes.length) : -1;
    });
    const views = order.map((i, n) => (picks[n] < 0 ? train.inputs[i] : train.altViews![i][picks[n]]));
    const raw = stack(views, shape);
    const rawMasks = train.masks && !train.grid ? stack(order.map((i) => train.masks![i].mask), [shape[0], shape[1], 1]) : undefined;
    const augmented = options.augment
      ? augmentBatch(raw, random, {
          minCrop: options.minCrop,
          maxZoomOut: options.maxZoomOut,
          blurRate: options.blurRate,
          masks: rawMasks,
          boxes: train.masks && order.map((i) => train.masks![i].box),
          lesionCropRate: options.lesionCropRate ?? 0,
        })
      : { images: raw, masks: rawMasks };
    if (augmented.images !== raw) tf.dispose([raw, ...(rawMasks ? [rawMasks] : [])]);
    const x = augmented.images;
    const labels = tf.tensor2d(order.map((i) => train.labels[i]), [order.length, 1]);
    const gridTargets = grid && train.grid
      ? stack(order.map((i, n) => (picks[n] < 0 ? train.grid!.inputs[i] : train.grid!.alt[i][picks[n]])), [grid[0], grid[1], 1])
      : undefined;
    const y = grid ? [labels, gridTargets ?? lesionTargets(augmented.masks!, grid)] : labels;
    let lastLoss = NaN;
    const previousAuc = history.at(-1)?.valAuc;
    const result = await trainer.fit(x, y, {
      epochs: 1,
      batchSize: options.batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchEnd: async (batch, logs) => {
          lastLoss = logs?.loss ?? lastLoss;
          bar.update(epoch, batch, lastLoss, previousAuc);
        },
      },
    });
    tf.dispose([x, ...(Array.isArray(y) ? y : [y]), ...(augmented.masks ? [augmented.masks] : [])]);
    const valScores = predictScores(model, val.inputs, shape);
    const valAuc = rocAuc(valScores, val.labels);
    const valLoss = tf.tidy(() => tf.metrics.binaryCrossentropy(valY, tf.tensor2d(valScores, [valScores.length, 1])).mean().dataSync()[0]);
    const log = { epoch: epoch + 1, loss: (result.history.prediction_loss ?? result.history.loss)[0] as number, valLoss, valAuc, seconds: (Date.now() - started) / 1000 };
    history.push(log);
    if (valAuc > best.auc) {
      tf.dispose(best.weights);
      best = { auc: valAuc, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    bar.epochDone(`loss ${log.loss.toFixed(4)} val loss ${valLoss.toFixed(4)} val AUC ${valAuc.toFixed(4)} (best ${best.auc.toFixed(4)} @ ${best.epoch + 1}) ${log.seconds.toFixed(1)} s`);
    if (epoch - best.epoch >= options.patience) break;
  }
  model.setWeights(best.weights);
  tf.dispose([...best.weights, valX, valY]);
  return history;
}
