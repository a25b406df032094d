import * as tf from '@tensorflow/tfjs-core';
import type { Op } from './fused-forward.ts';

/**
 * Backends whose kernels take each input's shape from the TensorInfo they are handed (so a reshape is a new
 * TensorInfo on the same data, as tfjs's own reshape kernel does there) and give back outputs the caller owns.
 */
const DIRECT_BACKENDS = new Set(['wasm']);

/** The folded ops that run straight on kernels; a graph with any other op keeps the tfjs op layer throughout. */
const DIRECT_OPS = new Set<Op['op']>(['conv', 'depthwise', 'dense', 'offset', 'add', 'globalAvgPool']);

/**
 * Runs folded-graph ops on the current backend's registered kernels, skipping the tfjs op layer. Why: each
 * tf.fused.conv2d call validates its arguments, opens and closes an engine scope, wraps the kernel in a
 * custom-gradient op with a tf.tidy of its own and builds Tensor objects for every step; at ~45 ops a
 * pass that was ~1 ms CPU on top of the kernels (bench/tmp A/B in the commit message). The kernels, their
 * inputs and attributes are the ones the tfjs ops pass, so outputs are bit-identical. Inference only:
 * nothing is recorded for gradients.
 */
export interface KernelOps {
  /** Runs one op on raw values; the caller owns the result (see free). */
  apply(op: Op, inputs: tf.TensorInfo[]): tf.TensorInfo;
  /** Frees a value apply() returned. */
  free(value: tf.TensorInfo): void;
  /** Hands a value apply() returned to the engine as a tracked tensor (so the enclosing tf.tidy frees it). */
  adopt(value: tf.TensorInfo): tf.Tensor;
}

/**
 * Whether the engine is watching kernels: tf.profile (bench/stages.ts's per-layer table), gradient recording or
 * the DEBUG flag see only what runs through the engine, so then the op layer runs the pass.
 */
export function engineWatching(): boolean {
  const { state } = tf.engine();
  return state.profiling || state.gradientDepth > 0 || tf.env().getBool('DEBUG');
}

/** One node of the folded graph, as far as this module reads it. */
interface GraphNode {
  op: Op;
  inputs: readonly number[];
  removed?: boolean;
}

/** Kernel ops for a graph's nodes on the current backend, or null when that backend or one of the ops is not covered. */
export function kernelOps(nodes: readonly GraphNode[]): KernelOps | null {
  const name = tf.getBackend();
  const covered = ({ op, inputs, removed }: GraphNode) => removed || (DIRECT_OPS.has(op.op) && (op.op !== 'add' || inputs.length === 2));
  if (!DIRECT_BACKENDS.has(name) || !nodes.every(covered)) return null;
  const kernel = (kernelName: string) => tf.getKernel(kernelName, name)?.kernelFunc;
  const [conv, depthwise, matMul, add, mean] = [tf.FusedConv2D, tf.FusedDepthwiseConv2D, tf._FusedMatMul, tf.Add, tf.Mean].map(kernel);
  if (!conv || !depthwise || !matMul || !add || !mean) return null;
  const engine = tf.engine();
  const backend = tf.backend();
  const run = (f: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => f({ inputs, attrs, backend }) as tf.TensorInfo;
  return {
    apply(op, inputs) {
      const [x] = inputs;
      switch (op.op) {
        case 'conv':
        case 'depthwise':
          return run(op.op === 'conv' ? conv : depthwise, { x, filter: op.kernel, ...(op.bias && { bias: op.bias }) }, {
            strides: op.strides,
            pad: op.pad,
            dataFormat: 'NHWC',
            dilations: [1, 1],
            activation: op.activation,
          });
        case 'dense': {
          // The batched matmul kernel reads [batch, rows, cols]; tf.fused.matMul adds the leading 1 the same way.
          const a = { dataId: x.dataId, shape: [1, ...x.shape], dtype: x.dtype };
          const b = { dataId: op.kernel.dataId, shape: [1, ...op.kernel.shape], dtype: op.kernel.dtype };
          const out = run(matMul, { a, b, ...(op.bias && { bias: op.bias }) }, { transposeA: false, transposeB: false, activation: op.activation });
          return { dataId: out.dataId, shape: out.shape.slice(1), dtype: out.dtype };
        }
        case 'offset':
          return run(add, { a: x, b: op.offset }, {});
        case 'add':
          return run(add, { a: inputs[0], b: inputs[1] }, {});
        case 'globalAvgPool':
          return run(mean, { x }, { axis: [1, 2], keepDims: false });
        default:
          throw new Error(`kernelOps: no kernel for ${op.op}`);
      }
    },
    free: (value) => void backend.disposeData(value.dataId),
    adopt: (value) => engine.makeTensorFromTensorInfo(value, backend),
  };
}
