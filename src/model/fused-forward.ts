import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Activations the WASM backend can apply inside a fused conv/matmul kernel. */
type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu';
const FUSABLE = new Set<string>(['linear', 'relu', 'relu6', 'sigmoid', 'elu']);

/** One step of a folded forward pass. */
type Step =
  | { op: 'conv'; kernel: tf.Tensor4D; bias: tf.Tensor1D | null; strides: [number, number]; pad: 'same' | 'valid'; activation: FusedActivation }
  | { op: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D | null; activation: FusedActivation }
  | { op: 'maxPool' | 'avgPool'; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }
  | { op: 'globalAvgPool' }
  | { op: 'flatten' };

/** Layer config fields this module reads (tfjs-layers getConfig() names). */
interface LayerConfig {
  activation?: string;
  strides?: number[];
  padding?: string;
  dilationRate?: number | number[];
  dataFormat?: string;
  poolSize?: number[];
  axis?: number | number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  useBias?: boolean;
  keepDims?: boolean;
  groups?: number;
}

/**
 * The same network as a tfjs-layers model, run as a short list of fused kernels: each Conv2D with the
 * BatchNormalization and Activation after it becomes one conv whose weights have the (inference-time) batch
 * norm folded in, with bias and ReLU applied inside the kernel. The layers model runs every BN, ReLU and layer
 * wrapper as its own op, which costs more than the convolutions at this size. Outputs equal the layers model's
 * up to float rounding (the folded weights are rounded once to float32).
 */
export class FusedForward {
  private constructor(
    private readonly steps: Step[],
    // Layer name → number of steps after which that layer's output exists (folded layers share their conv's).
    private readonly layerEnds: Map<string, number>,
  ) {}

  /**
   * Folds a plain chain of Conv2D / BatchNormalization / Activation / pooling / Flatten / Dropout / Dense
   * layers (one input, one output, channels-last). Returns null for anything else, so the caller keeps
   * using the layers model.
   */
  static fromModel(model: LayersModel): FusedForward | null {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
    const steps: Step[] = [];
    const layerEnds = new Map<string, number>();
    const owned: tf.Tensor[] = [];
    const fail = () => {
      for (const t of owned) t.dispose();
      return null;
    };
    let previous: unknown = null;
    for (const layer of model.layers) {
      const className = layer.getClassName();
      const config = layer.getConfig() as LayerConfig;
      // A chain: every layer after the input takes exactly the layer before it.
      const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers);
      if (className === 'InputLayer') {
        previous = layer;
        continue;
      }
      // (A Sequential model does not list its InputLayer, so the first layer may take an unlisted one.)
      const expected = previous ?? (inbound[0]?.getClassName() === 'InputLayer' ? inbound[0] : undefined);
      if (inbound.length !== 1 || inbound[0] !== expected) return fail();
      previous = layer;
      if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return fail();
      const last = steps[steps.length - 1];
      switch (className) {
        case 'Dropout': // identity at inference
          break;
        case 'Conv2D': {
          const dilation = [config.dilationRate ?? 1].flat();
          if (dilation.some((d) => d !== 1) || (config.groups ?? 1) !== 1) return fail();
          const activation = config.activation ?? 'linear';
          if (!FUSABLE.has(activation)) return fail();
          const [kernel, bias] = layer.getWeights();
          const k = tf.clone(kernel) as tf.Tensor4D;
          const b = bias ? (tf.clone(bias) as tf.Tensor1D) : null;
          owned.push(k, ...(b ? [b] : []));
          const [sy, sx] = config.strides ?? [1, 1];
          steps.push({ op: 'conv', kernel: k, bias: b, strides: [sy, sx], pad: config.padding === 'same' ? 'same' : 'valid', activation: activation as FusedActivation });
          break;
        }
        case 'BatchNormalization': {
          const axis = [config.axis ?? -1].flat();
          if (!last || last.op !== 'conv' || last.activation !== 'linear' || axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return fail();
          const folded = foldBatchNorm(last, layer.getWeights(), config);
          owned.push(folded.kernel, folded.bias);
          steps[steps.length - 1] = { ...last, kernel: folded.kernel, bias: folded.bias };
          break;
        }
        case 'Activation': {
          const activation = config.activation ?? 'linear';
          if (!last || (last.op !== 'conv' && last.op !== 'dense') || last.activation !== 'linear' || !FUSABLE.has(activation)) return fail();
          last.activation = activation as FusedActivation;
          break;
        }
        case 'MaxPooling2D':
        case 'AveragePooling2D': {
          const size = (config.poolSize ?? [2, 2]) as [number, number];
          const strides = (config.strides ?? size) as [number, number];
          steps.push({ op: className === 'MaxPooling2D' ? 'maxPool' : 'avgPool', size, strides, pad: config.padding === 'same' ? 'same' : 'valid' });
          break;
        }
        case 'GlobalAveragePooling2D':
          if (config.keepDims) return fail();
          steps.push({ op: 'globalAvgPool' });
          break;
        case 'Flatten':
          steps.push({ op: 'flatten' });
          break;
        case 'Dense': {
          const activation = config.activation ?? 'linear';
          if (!FUSABLE.has(activation)) return fail();
          const [kernel, bias] = layer.getWeights();
          if (kernel.rank !== 2) return fail();
          const k = tf.clone(kernel) as tf.Tensor2D;
          const b = bias ? (tf.clone(bias) as tf.Tensor1D) : null;
          owned.push(k, ...(b ? [b] : []));
          steps.push({ op: 'dense', kernel: k, bias: b, activation: activation as FusedActivation });
          break;
        }
        default:
          return fail();
      }
      layerEnds.set(layer.name, steps.length);
    }
    return new FusedForward(steps, layerEnds);
  }

  /** Runs the folded network on an NHWC batch; call inside tf.tidy. */
  predict(x: tf.Tensor4D): tf.Tensor {
    return this.run(x, 0).output;
  }

  /** Whether `predictWithLayer` can return this layer's output. */
  hasLayer(name: string): boolean {
    return this.layerEnds.has(name);
  }

  /** The network's output and one named layer's output (e.g. the CAM features) from a single pass; in tf.tidy. */
  predictWithLayer(x: tf.Tensor4D, name: string): { output: tf.Tensor; layer: tf.Tensor } {
    const end = this.layerEnds.get(name);
    if (end === undefined) throw new Error(`No layer named ${name} in the folded network`);
    const { output, tap } = this.run(x, end);
    return { output, layer: tap ?? x };
  }

  private run(x: tf.Tensor4D, tapAfter: number): { output: tf.Tensor; tap: tf.Tensor | null } {
    let h: tf.Tensor = x;
    let tap: tf.Tensor | null = null;
    for (const [index, step] of this.steps.entries()) {
      h = this.apply(step, h);
      if (index + 1 === tapAfter) tap = h;
    }
    return { output: h, tap };
  }

  private apply(step: Step, h: tf.Tensor): tf.Tensor {
    switch (step.op) {
      case 'conv':
        return tf.fused.conv2d({
          x: h as tf.Tensor4D,
          filter: step.kernel,
          strides: step.strides,
          pad: step.pad,
          bias: step.bias ?? undefined,
          activation: step.activation,
        });
      case 'maxPool':
        return tf.maxPool(h as tf.Tensor4D, step.size, step.strides, step.pad);
      case 'avgPool':
        return tf.avgPool(h as tf.Tensor4D, step.size, step.strides, step.pad);
      case 'globalAvgPool':
        return tf.mean(h, [1, 2]);
      case 'flatten':
        return tf.reshape(h, [h.shape[0], -1]);
      case 'dense':
        return tf.fused.matMul({ a: h as tf.Tensor2D, b: step.kernel, bias: step.bias ?? undefined, activation: step.activation });
    }
  }

  /** Frees the folded weights. */
  dispose(): void {
    for (const step of this.steps) {
      if (step.op === 'conv' || step.op === 'dense') {
        step.kernel.dispose();
        step.bias?.dispose();
      }
    }
  }
}

/**
 * y = γ·(conv(x) + b − μ)/√(σ² + ε) + β  ⇒  kernel·s and (b − μ)·s + β with s = γ/√(σ² + ε), computed in
 * double precision and rounded to float32 once.
 */
function foldBatchNorm(
  conv: { kernel: tf.Tensor4D; bias: tf.Tensor1D | null },
  weights: tf.Tensor[],
  config: LayerConfig,
): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  const queue = [...weights];
  const channels = conv.kernel.shape[3];
  const gamma = config.scale === false ? new Float32Array(channels).fill(1) : queue.shift()!.dataSync();
  const beta = config.center === false ? new Float32Array(channels) : queue.shift()!.dataSync();
  const [mean, variance] = [queue.shift()!.dataSync(), queue.shift()!.dataSync()];
  const epsilon = config.epsilon ?? 1e-3;
  const scale = Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + epsilon));
  const kernel = Float32Array.from(conv.kernel.dataSync(), (w, i) => w * scale[i % channels]);
  const oldBias = conv.bias?.dataSync();
  const bias = Float32Array.from(scale, (s, c) => ((oldBias?.[c] ?? 0) - mean[c]) * s + beta[c]);
  conv.kernel.dispose();
  conv.bias?.dispose();
  return { kernel: tf.tensor4d(kernel, conv.kernel.shape), bias: tf.tensor1d(bias) };
}
