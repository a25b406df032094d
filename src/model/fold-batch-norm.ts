import * as tf from '@tensorflow/tfjs-core';

/** The BatchNormalization config fields the fold reads (tfjs-layers getConfig() names). */
export interface BatchNormConfig {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/** Inference-time batch norm as a per-channel affine map y = x·scale + shift (in double precision). */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β  ⇒  scale = γ/√(σ² + ε), shift = β − μ·scale. `weights` are the layer's
 * getWeights() in tfjs order: [γ if scale], [β if center], moving mean, moving variance.
 */
export function batchNormAffine(weights: tf.Tensor[], config: BatchNormConfig, channels: number): ChannelAffine {
  const queue = [...weights];
  const gamma = config.scale === false ? new Float32Array(channels).fill(1) : queue.shift()!.dataSync();
  const beta = config.center === false ? new Float32Array(channels) : queue.shift()!.dataSync();
  const [mean, variance] = [queue.shift()!.dataSync(), queue.shift()!.dataSync()];
  const epsilon = config.epsilon ?? 1e-3;
  // Plain loops: typed-array `from` with a callback runs far slower at start-up, when nothing is optimised yet.
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

/**
 * Folds a channel affine map into the weights of the linear op before it: kernel·s and b·s + t, rounded to
 * float32 once. The output channel of a flat kernel index is `index % channels` for a Conv2D kernel
 * [h, w, in, out], a depthwise kernel [h, w, in, multiplier] (channel = in·multiplier + m) and a Dense kernel
 * [in, out] alike. Disposes the old kernel and bias.
 */
export function foldAffine<K extends tf.Tensor>(
  kernel: K,
  bias: tf.Tensor1D | null,
  { scale, shift }: ChannelAffine,
): { kernel: K; bias: tf.Tensor1D } {
  const channels = scale.length;
  // Loops rather than Float32Array.from(…, callback): the fold runs once, cold, where the callback form cost
  // ~10× more (bench/cold-start.ts). Each product is taken in double and rounded to float32 on the store.
  const weights = kernel.dataSync();
  const folded = new Float32Array(weights.length);
  for (let i = 0, c = 0; i < weights.length; i++, c = c + 1 === channels ? 0 : c + 1) folded[i] = weights[i] * scale[c];
  const oldBias = bias?.dataSync();
  const newBias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) newBias[c] = (oldBias ? oldBias[c] : 0) * scale[c] + shift[c];
  const shape = kernel.shape;
  kernel.dispose();
  bias?.dispose();
  return { kernel: tf.tensor(folded, shape) as K, bias: tf.tensor1d(newBias) };
}
