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
  const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + epsilon));
  const shift = Float64Array.from(scale, (s, c) => beta[c] - mean[c] * s);
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
  const folded = Float32Array.from(kernel.dataSync(), (w, i) => w * scale[i % channels]);
  const oldBias = bias?.dataSync();
  const newBias = Float32Array.from(scale, (s, c) => (oldBias?.[c] ?? 0) * s + shift[c]);
  const shape = kernel.shape;
  kernel.dispose();
  bias?.dispose();
  return { kernel: tf.tensor(folded, shape) as K, bias: tf.tensor1d(newBias) };
}
