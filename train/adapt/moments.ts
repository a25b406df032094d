/** Per-channel activation moments pooled exactly over batches, and the batching the adaptation passes use. */
import * as tf from '@tensorflow/tfjs-core';

/** Per-channel mean and unbiased variance of tensors over every axis but the channel axis, pooled exactly. */
export class ChannelMoments {
  private n = 0;
  private mean: Float64Array | null = null;
  private m2: Float64Array | null = null;

  /** Adds one batch of activations; `axis` is the channel axis (negative counts from the end). */
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

  /** The pooled mean and unbiased variance (as tfjs-layers' own training update uses). */
  result(): { mean: Float64Array; variance: Float64Array } {
    if (!this.mean || !this.m2 || this.n < 2) throw new Error('no activations seen');
    return { mean: this.mean, variance: this.m2.map((v) => v / (this.n - 1)) };
  }
}

/**
 * Index ranges [start, end) of at most `batchSize` items, as equal in size as possible: no batch of one image at
 * the end (a single image's batch statistics would be degenerate where they normalise a pass).
 */
export function balancedBatches(count: number, batchSize: number): [number, number][] {
  const batches = Math.ceil(count / batchSize);
  return Array.from({ length: batches }, (_, b) => [Math.floor((b * count) / batches), Math.floor(((b + 1) * count) / batches)]);
}

/** The median of a list of numbers (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
