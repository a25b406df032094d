/** Counts a layers model's multiply-accumulates from its layer shapes, and measures what this CPU can do. */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** MACs of one layer for one image. */
export interface LayerCost {
  name: string;
  type: string;
  outputShape: number[];
  macs: number;
}

/**
 * Multiply-accumulates per image: Conv2D = out H × out W × kH × kW × in C × out C (groups 1), DepthwiseConv2D =
 * out H × out W × kH × kW × in C × multiplier, Dense = in × out.
 * Batch norm, activations and pooling are a few ops per activation value and are left out (they are memory
 * bound, not FLOP bound). FLOPs = 2 × MACs.
 */
export function countMacs(model: LayersModel): { total: number; layers: LayerCost[] } {
  const layers: LayerCost[] = [];
  for (const layer of model.layers) {
    const type = layer.getClassName();
    const out = (layer.outputShape as number[]).map((d) => d ?? 1);
    let macs = 0;
    if (type === 'Conv2D') {
      const kernel = layer.getWeights()[0].shape as number[]; // [kH, kW, inC, outC]
      macs = out[1] * out[2] * kernel[0] * kernel[1] * kernel[2] * kernel[3];
    } else if (type === 'DepthwiseConv2D') {
      const kernel = layer.getWeights()[0].shape as number[]; // [kH, kW, inC, multiplier]
      macs = out[1] * out[2] * kernel[0] * kernel[1] * kernel[2] * kernel[3];
    } else if (type === 'Dense') {
      const kernel = layer.getWeights()[0].shape as number[]; // [in, out]
      macs = kernel[0] * kernel[1];
    }
    layers.push({ name: layer.name, type, outputShape: out.slice(1), macs });
  }
  return { total: layers.reduce((s, l) => s + l.macs, 0), layers };
}

/**
 * A rough single-thread ceiling for this backend: the best GFLOP/s of plain 3×3 convolutions of a few sizes
 * (32×32 and 16×16 maps, 64 → 64 channels; fused bias + ReLU) on the tfjs WASM SIMD backend, i.e. XNNPACK's
 * best case: compute bound, no per-layer overhead, median of `repeats` runs.
 */
export function convCeiling(repeats = 15): { gflops: number; shape: string } {
  let best = { gflops: 0, shape: '' };
  for (const [size, channels] of [[32, 64], [16, 64], [32, 32]]) {
    const x = tf.randomUniform([1, size, size, channels]) as tf.Tensor4D;
    const filter = tf.randomUniform([3, 3, channels, channels], -0.1, 0.1) as tf.Tensor4D;
    const bias = tf.zeros([channels]) as tf.Tensor1D;
    // Read back one value: copying the whole output out of wasm memory costs more than the conv itself.
    const run = () =>
      tf.tidy(() => tf.slice(tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' }), [0, 0, 0, 0], [1, 1, 1, 1]).dataSync());
    run(); // warm up (XNNPACK operator set-up)
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      run();
      times.push(performance.now() - t);
    }
    x.dispose();
    filter.dispose();
    bias.dispose();
    times.sort((a, b) => a - b);
    const gflops = (2 * size * size * 9 * channels * channels) / (times[times.length >> 1] * 1e6);
    if (gflops > best.gflops) best = { gflops: Math.round(gflops * 10) / 10, shape: `${size}×${size}×${channels} → ${channels}` };
  }
  return best;
}
