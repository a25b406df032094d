/**
 * AdaBN (Li et al. 2016): re-estimates every BatchNormalization layer's moving mean and variance on images from
 * a new site, leaving all learned weights as they are. Works on any tfjs layers model (a chain or a DAG such as
 * MobileNetV2's residual blocks), on whichever tfjs backend is active.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';

/** How far one layer's statistics moved: mean shift in source standard deviations, variance ratio new/source. */
export interface LayerShift {
  name: string;
  channels: number;
  /** Mean over channels of |new mean − source mean| / source std. */
  meanShift: number;
  /** Median over channels of new variance / source variance. */
  varianceRatio: number;
}

/** Options of adaptBatchNorm. */
export interface AdaptOptions {
  /** Images per forward pass (memory, not results: statistics are pooled exactly over all images). */
  batchSize?: number;
  /**
   * Keras' convention: moving = momentum · source + (1 − momentum) · target. 0 (default) replaces the source
   * statistics with the local ones; 0.5 mixes them half and half.
   */
  momentum?: number;
  /** Called after each layer (progress). */
  onLayer?: (done: number, total: number, name: string) => void;
}

type BatchNormLayer = ReturnType<LayersModel['getLayer']>;

/** The model's BatchNormalization layers in network (topological) order. */
export function batchNormLayers(model: LayersModel): BatchNormLayer[] {
  return model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
}

/** Per-channel mean and unbiased variance of `x` over every axis but `axis`, pooled exactly across batches. */
class ChannelMoments {
  private n = 0;
  private mean: Float64Array | null = null;
  private m2: Float64Array | null = null;

  add(x: tf.Tensor, axis: number): void {
    const rank = x.rank;
    const channelAxis = axis < 0 ? rank + axis : axis;
    const reduce = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== channelAxis);
    const count = reduce.reduce((n, i) => n * x.shape[i], 1);
    const [batchMean, batchVar] = tf.tidy(() => {
      const m = tf.moments(x, reduce);
      return [m.mean.dataSync() as Float32Array, m.variance.dataSync() as Float32Array];
    });
    if (!this.mean || !this.m2) {
      this.mean = new Float64Array(batchMean.length);
      this.m2 = new Float64Array(batchMean.length);
    }
    // Chan et al.'s pairwise update: exact pooling of per-batch moments without a second pass.
    const total = this.n + count;
    for (let c = 0; c < batchMean.length; c++) {
      const delta = batchMean[c] - this.mean[c];
      this.mean[c] += (delta * count) / total;
      this.m2[c] += batchVar[c] * count + (delta * delta * this.n * count) / total;
    }
    this.n = total;
  }

  result(): { mean: Float64Array; variance: Float64Array } {
    if (!this.mean || !this.m2 || this.n < 2) throw new Error('no activations seen');
    // Unbiased, as tfjs-layers' own training update is.
    return { mean: this.mean, variance: this.m2.map((v) => v / (this.n - 1)) };
  }
}

/** The median of a list of numbers (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Re-estimates each BatchNormalization layer's moving mean/variance from `inputs` (HWC floats from
 * toModelInput) in network order: layer k's statistics are measured with layers 1…k−1 already adapted, so each
 * layer sees the activations it will see at serving time. Modifies `model` in place; returns what moved.
 */
export function adaptBatchNorm(model: LayersModel, inputs: Float32Array[], options: AdaptOptions = {}): LayerShift[] {
  const { batchSize = 32, momentum = 0 } = options;
  if (!(momentum >= 0 && momentum < 1)) throw new Error('momentum must be in [0, 1)');
  if (inputs.length < 2) throw new Error('need at least 2 images');
  const shape = model.inputs[0].shape.slice(1) as number[];
  const layers = batchNormLayers(model);
  const shifts: LayerShift[] = [];
  layers.forEach((layer, k) => {
    const axis = (layer.getConfig().axis as number | undefined) ?? -1;
    // A view of the shared layers up to this layer's input (weights shared, not copied).
    const probe = functionalModel({ inputs: model.inputs, outputs: layer.input as SymbolicTensor });
    const moments = new ChannelMoments();
    for (let start = 0; start < inputs.length; start += batchSize) {
      const part = inputs.slice(start, start + batchSize);
      const x = tf.tidy(() => probe.predict(tf.stack(part.map((input) => tf.tensor(input, shape)))) as tf.Tensor);
      moments.add(x, axis);
      x.dispose();
    }
    const { mean, variance } = moments.result();
    const names = layer.weights.map((w) => w.originalName.split('/').at(-1));
    const current = layer.getWeights();
    const iMean = names.indexOf('moving_mean');
    const iVar = names.indexOf('moving_variance');
    if (iMean < 0 || iVar < 0) throw new Error(`${layer.name}: no moving_mean/moving_variance weights`);
    const oldMean = Float32Array.from(current[iMean].dataSync());
    const oldVar = Float32Array.from(current[iVar].dataSync());
    const mix = (old: Float32Array, next: Float64Array) => Float32Array.from(next, (v, c) => momentum * old[c] + (1 - momentum) * v);
    const newMean = mix(oldMean, mean);
    const newVar = mix(oldVar, variance);
    const updated = current.map((w, i) => (i === iMean ? tf.tensor(newMean, w.shape) : i === iVar ? tf.tensor(newVar, w.shape) : w));
    layer.setWeights(updated);
    // setWeights assigned copies; `current` are the layer's own variables and must stay alive.
    tf.dispose([updated[iMean], updated[iVar]]);
    const channels = newMean.length;
    let shift = 0;
    for (let c = 0; c < channels; c++) shift += Math.abs(newMean[c] - oldMean[c]) / Math.sqrt(oldVar[c] + 1e-3);
    shifts.push({
      name: layer.name,
      channels,
      meanShift: shift / channels,
      varianceRatio: median(Array.from(newVar, (v, c) => v / Math.max(oldVar[c], 1e-12))),
    });
    options.onLayer?.(k + 1, layers.length, layer.name);
  });
  return shifts;
}
