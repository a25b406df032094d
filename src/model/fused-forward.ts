import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchNormAffine, type BatchNormConfig, foldAffine } from './fold-batch-norm.ts';
import { type GraphLayer, type LayerGraph, readLayerGraph } from './layer-graph.ts';
import { engineWatching, kernelOps, type KernelOps } from './kernel-ops.ts';

/** Activations the WASM backend can apply inside a fused conv/matmul kernel. */
type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu';
const FUSABLE = new Set<string>(['linear', 'relu', 'relu6', 'sigmoid', 'elu']);
/** Activations run as their own op when nothing before them can take them in. */
const STANDALONE: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: tf.relu,
  relu6: tf.relu6,
  sigmoid: tf.sigmoid,
  elu: tf.elu,
  tanh: tf.tanh,
  selu: tf.selu,
  softmax: (x) => tf.softmax(x),
};

type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** A convolution with its batch norm folded in and its activation fused. */
interface ConvOp {
  op: 'conv' | 'depthwise';
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  strides: [number, number];
  pad: Padding;
  activation: FusedActivation;
}

/** One operation of the folded graph. */
export type Op =
  | ConvOp
  | { op: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D | null; activation: FusedActivation }
  | { op: 'affine'; scale: tf.Tensor1D; shift: tf.Tensor1D }
  | { op: 'offset'; offset: tf.Tensor1D }
  | { op: 'activation'; apply: (x: tf.Tensor) => tf.Tensor }
  | { op: 'pad'; padding: [[number, number], [number, number]] }
  | { op: 'add' }
  | { op: 'concat'; axis: number }
  | { op: 'maxPool' | 'avgPool'; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }
  | { op: 'globalAvgPool' | 'globalMaxPool' | 'flatten' };

/** An op, the values it reads (0 is the network input, value i+1 is node i's output) and whether it was folded away. */
interface Node {
  op: Op;
  inputs: number[];
  removed?: boolean;
}

/** Layer config fields this module reads (tfjs-layers getConfig() names). */
interface LayerConfig extends BatchNormConfig {
  activation?: string;
  strides?: number[];
  padding?: string | [[number, number], [number, number]];
  dilationRate?: number | number[];
  dataFormat?: string;
  poolSize?: number[];
  axis?: number | number[];
  useBias?: boolean;
  keepDims?: boolean;
  groups?: number;
  maxValue?: number | null;
}

/** Layers that are the identity at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** Options for {@link FusedForward.fromModel}. */
export interface FuseOptions {
  /** Layers whose own output must stay readable (nothing after them is folded into them), e.g. the CAM features. */
  keep?: string[];
  /** Fold a linear 1×1 conv into the conv that reads it (default true; false for A/B benches). */
  foldProjections?: boolean;
}

/**
 * The same network as a tfjs-layers model, run as a short graph of fused kernels: each Conv2D or
 * DepthwiseConv2D with the BatchNormalization and ReLU/ReLU6 after it becomes one conv whose weights have the
 * (inference-time) batch norm folded in, with bias and activation applied inside the kernel; a ZeroPadding2D
 * before a 'valid' conv becomes that conv's explicit padding. Residual Add, Concatenate, pooling, Flatten,
 * Dropout and Dense run as single ops. The layers model runs every BN, ReLU, clip and layer wrapper as its own
 * op, which costs more than the convolutions at this size. Outputs equal the layers model's up to float
 * rounding (the folded weights are rounded once to float32).
 */
export class FusedForward {
  private constructor(
    private readonly nodes: Node[],
    private readonly output: number,
    // Layer name → value that holds exactly that layer's output (layers folded into a later op are absent).
    private readonly taps: Map<string, number>,
    // Value → index of the last node that reads it, so intermediate tensors are freed as the pass goes.
    private readonly lastUse: Map<number, number>,
  ) {}

  /**
   * Folds a channels-last model with one input and one output built from the layers listed on the class.
   * Returns null for anything else, so the caller keeps using the layers model.
   */
  static fromModel(model: LayersModel, options: FuseOptions = {}): FusedForward | null {
    const graph = readLayerGraph(model);
    return graph && FusedForward.fromGraph(graph, options);
  }

  /** Folds a layer graph (from a layers model, or read from model.json by readTopologyGraph); null as above. */
  static fromGraph(graph: LayerGraph, options: FuseOptions = {}): FusedForward | null {
    const builder = new GraphBuilder(graph.input, graph.layers, graph.output, options.keep ?? [], options.foldProjections ?? true);
    try {
      for (const layer of graph.layers) {
        if (!builder.add(layer)) return builder.abandon();
      }
    } catch (error) {
      builder.abandon();
      throw error;
    }
    return builder.finish((nodes, output, taps, lastUse) => new FusedForward(nodes, output, taps, lastUse));
  }

  /** Runs the folded network on an NHWC batch; call inside tf.tidy. */
  predict(x: tf.Tensor4D): tf.Tensor {
    return this.predictWithLayers(x, []).output;
  }

  /** Whether `predictWithLayer` can return this layer's output. */
  hasLayer(name: string): boolean {
    return this.taps.has(name);
  }

  /** The network's output and one named layer's output (e.g. the CAM features) from a single pass; in tf.tidy. */
  predictWithLayer(x: tf.Tensor4D, name: string): { output: tf.Tensor; layer: tf.Tensor } {
    const { output, layers } = this.predictWithLayers(x, [name]);
    return { output, layer: layers[0] };
  }

  /**
   * The network's output and several named layers' outputs (e.g. cam_features and gap) from one pass; in
   * tf.tidy. `via` 'ops' forces the tfjs op layer (for A/B benches and tests; 'kernels' falls back to it, and
   * uses it while tf.profile, gradients or DEBUG watch the engine).
   */
  predictWithLayers(x: tf.Tensor4D, names: string[], via: 'kernels' | 'ops' = 'kernels'): { output: tf.Tensor; layers: tf.Tensor[] } {
    const values = names.map((name) => {
      const value = this.taps.get(name);
      if (value === undefined) throw new Error(`No layer named ${name} in the folded network`);
      return value;
    });
    const kernels = via === 'kernels' && !engineWatching() ? this.kernelOps() : null;
    const { output, tapped } = kernels ? this.runOnKernels(x, values, kernels) : this.run(x, values);
    return { output, layers: tapped };
  }

  /** Whether predictions on the current backend skip the tfjs op layer (src/model/kernel-ops.ts). */
  get onKernels(): boolean {
    return this.kernelOps() !== null;
  }

  // The backend the kernel ops were looked up on, so a backend switch (tests, training scripts) looks again.
  #kernels?: { backend: tf.KernelBackend; ops: KernelOps | null };

  /** Kernel ops for this graph on the current backend, or null where the tfjs op layer must run it. */
  private kernelOps(): KernelOps | null {
    const backend = tf.backend();
    if (this.#kernels?.backend !== backend) this.#kernels = { backend, ops: kernelOps(this.nodes) };
    return this.#kernels.ops;
  }

  /**
   * run() on raw kernel outputs (src/model/kernel-ops.ts): intermediates are freed as soon as their last reader
   * ran, and only the output and tapped values become engine tensors (the enclosing tf.tidy frees them).
   */
  private runOnKernels(x: tf.Tensor4D, tapValues: number[], kernels: KernelOps): { output: tf.Tensor; tapped: tf.Tensor[] } {
    const values: tf.TensorInfo[] = [x];
    const hold = new Set([0, this.output, ...tapValues]);
    // Raw values not yet freed or adopted: freed on the way out, also when a kernel throws.
    const live = new Set<number>();
    try {
      for (const [index, node] of this.nodes.entries()) {
        if (node.removed) continue;
        values[index + 1] = kernels.apply(node.op, node.inputs.map((v) => values[v]));
        live.add(index + 1);
        for (const v of node.inputs) {
          if (!hold.has(v) && this.lastUse.get(v) === index) {
            kernels.free(values[v]);
            live.delete(v);
          }
        }
      }
      const tensors = new Map<number, tf.Tensor>([[0, x]]);
      const tensor = (v: number) => {
        let t = tensors.get(v);
        if (!t) {
          tensors.set(v, t = kernels.adopt(values[v]));
          live.delete(v);
        }
        return t;
      };
      return { output: tensor(this.output), tapped: tapValues.map(tensor) };
    } finally {
      for (const v of live) kernels.free(values[v]);
    }
  }

  /** Number of ops one pass runs (for benches and tests: folding should shrink it). */
  get opCount(): number {
    return this.nodes.filter((n) => !n.removed).length;
  }

  private run(x: tf.Tensor4D, tapValues: number[]): { output: tf.Tensor; tapped: tf.Tensor[] } {
    const values: tf.Tensor[] = [x];
    const hold = new Set([0, this.output, ...tapValues]);
    for (const [index, node] of this.nodes.entries()) {
      if (node.removed) continue;
      values[index + 1] = apply(node.op, node.inputs.map((v) => values[v]));
      for (const v of node.inputs) {
        if (!hold.has(v) && this.lastUse.get(v) === index) values[v].dispose();
      }
    }
    return { output: values[this.output], tapped: tapValues.map((v) => values[v]) };
  }

  /** Frees the folded weights. */
  dispose(): void {
    disposeWeights(this.nodes);
  }
}

/** sums[o] += a · row[o] for the `sums.length` entries of `from`'s row starting at `start`. */
function addScaledRow(sums: Float64Array, a: number, from: Float32Array, start: number): void {
  for (let o = 0; o < sums.length; o++) sums[o] += a * from[start + o];
}

function disposeWeights(nodes: Node[]): void {
  for (const { op } of nodes) {
    if (op.op === 'conv' || op.op === 'depthwise' || op.op === 'dense') {
      op.kernel.dispose();
      op.bias?.dispose();
    } else if (op.op === 'affine') {
      op.scale.dispose();
      op.shift.dispose();
    } else if (op.op === 'offset') {
      op.offset.dispose();
    }
  }
}

function apply(op: Op, inputs: tf.Tensor[]): tf.Tensor {
  const [h] = inputs;
  switch (op.op) {
    case 'conv':
      return tf.fused.conv2d({ x: h as tf.Tensor4D, filter: op.kernel, strides: op.strides, pad: op.pad, bias: op.bias ?? undefined, activation: op.activation });
    case 'depthwise':
      // The WASM kernel takes explicit padding like conv2d; the op's type only lists the string forms.
      return tf.fused.depthwiseConv2d({ x: h as tf.Tensor4D, filter: op.kernel, strides: op.strides, pad: op.pad as 'same', bias: op.bias ?? undefined, activation: op.activation });
    case 'dense':
      return tf.fused.matMul({ a: h as tf.Tensor2D, b: op.kernel, bias: op.bias ?? undefined, activation: op.activation });
    case 'affine':
      return tf.add(tf.mul(h, op.scale), op.shift);
    case 'offset':
      return tf.add(h, op.offset);
    case 'activation':
      return op.apply(h);
    case 'pad':
      return tf.pad(h, [[0, 0], op.padding[0], op.padding[1], [0, 0]]);
    case 'add':
      return inputs.length === 2 ? tf.add(inputs[0], inputs[1]) : tf.addN(inputs);
    case 'concat':
      return tf.concat(inputs, op.axis);
    case 'maxPool':
      return tf.maxPool(h as tf.Tensor4D, op.size, op.strides, op.pad);
    case 'avgPool':
      return tf.avgPool(h as tf.Tensor4D, op.size, op.strides, op.pad);
    case 'globalAvgPool':
      return tf.mean(h, [1, 2]);
    case 'globalMaxPool':
      return tf.max(h, [1, 2]);
    case 'flatten':
      return tf.reshape(h, [h.shape[0], -1]);
  }
}

/** Builds the node list layer by layer, folding a layer into the op before it when nothing else reads that op. */
class GraphBuilder {
  private readonly nodes: Node[] = [];
  // Layer name → value id (identity layers share their input's value).
  private readonly values = new Map<string, number>();
  // Layer name → value that holds exactly that layer's output.
  private readonly taps = new Map<string, number>();
  // Value id → the (non-identity) layer whose output it currently is.
  private readonly owner = new Map<number, string>();
  // Layer name → how many layers read it (identity layers counted through; +1 for the output and kept layers).
  private readonly readers = new Map<string, number>();

  constructor(
    input: string,
    layers: GraphLayer[],
    private readonly outputName: string,
    keep: string[],
    private readonly foldProjections: boolean,
  ) {
    this.values.set(input, 0);
    this.taps.set(input, 0);
    this.owner.set(0, input);
    const source = new Map<string, string>([[input, input]]);
    const read = (name: string) => {
      const s = source.get(name) ?? name;
      this.readers.set(s, (this.readers.get(s) ?? 0) + 1);
    };
    for (const layer of layers) {
      const identity = IDENTITY.has(layer.className);
      source.set(layer.name, identity ? source.get(layer.inputs[0]) ?? layer.inputs[0] : layer.name);
      if (!identity) layer.inputs.forEach(read);
    }
    [outputName, ...keep].forEach(read);
  }

  /** Adds one layer; false when it cannot be expressed (unknown layer, channels-first, dilation, …). */
  add({ name, className, config: raw, weights: layerWeights, inputs }: GraphLayer): boolean {
    const config = raw as LayerConfig;
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return false;
    const ins = inputs.map((n) => this.values.get(n));
    if (ins.some((v) => v === undefined)) return false;
    const x = ins[0]!;
    const node = (op: Op) => this.push(name, op, ins as number[]);
    if (IDENTITY.has(className)) {
      this.values.set(name, x);
      if (this.taps.get(inputs[0]) === x) this.taps.set(name, x);
      return true;
    }
    switch (className) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const dilation = [config.dilationRate ?? 1].flat();
        if (dilation.some((d) => d !== 1) || (config.groups ?? 1) !== 1) return false;
        const activation = config.activation ?? 'linear';
        const [kernel, bias] = layerWeights();
        const op = {
          op: className === 'Conv2D' ? 'conv' : 'depthwise',
          kernel: tf.clone(kernel) as tf.Tensor4D,
          bias: bias ? (tf.clone(bias) as tf.Tensor1D) : null,
          strides: (config.strides ?? [1, 1]) as [number, number],
          pad: config.padding === 'same' ? 'same' : 'valid',
          activation: FUSABLE.has(activation) ? activation : 'linear',
        } as ConvOp;
        // Zero padding read only by this 'valid' conv becomes the conv's explicit padding (one op, no copy).
        const padNode = op.pad === 'valid' ? this.foldable(x, 'pad') : null;
        if (padNode?.op.op === 'pad') {
          const [[top, bottom], [left, right]] = padNode.op.padding;
          op.pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
          padNode.removed = true;
          this.forget(x);
          this.push(name, op, padNode.inputs);
        } else {
          node(op);
        }
        if (op.op === 'conv' && this.foldProjections) this.foldProjectionInto(this.nodes[this.nodes.length - 1]);
        return FUSABLE.has(activation) || this.addActivation(name, activation, this.values.get(name)!);
      }
      case 'BatchNormalization': {
        const axis = [config.axis ?? -1].flat();
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return false;
        const weights = layerWeights();
        const affine = batchNormAffine(weights, config, weights[weights.length - 1].shape[0]);
        const before = this.linearBefore(x);
        if (before) {
          const folded = foldAffine<tf.Tensor>(before.kernel, before.bias, affine);
          before.kernel = folded.kernel as tf.Tensor4D & tf.Tensor2D;
          before.bias = folded.bias;
          return this.alias(name, x);
        }
        const [scale, shift] = [affine.scale, affine.shift].map((a) => tf.tensor1d(Float32Array.from(a)));
        return node({ op: 'affine', scale, shift });
      }
      case 'ReLU': {
        const max = config.maxValue ?? null;
        if (max === null || max === 6) return this.addActivation(name, max === null ? 'relu' : 'relu6', x);
        return node({ op: 'activation', apply: (t) => tf.clipByValue(t, 0, max) });
      }
      case 'Activation':
        return this.addActivation(name, config.activation ?? 'linear', x);
      case 'ZeroPadding2D':
        return node({ op: 'pad', padding: config.padding as [[number, number], [number, number]] });
      case 'Add':
        return node({ op: 'add' });
      case 'Concatenate':
        return node({ op: 'concat', axis: [config.axis ?? -1].flat()[0] });
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = (config.poolSize ?? [2, 2]) as [number, number];
        const strides = (config.strides ?? size) as [number, number];
        const pad = config.padding === 'same' ? 'same' : 'valid';
        return node({ op: className === 'MaxPooling2D' ? 'maxPool' : 'avgPool', size, strides, pad });
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        return !config.keepDims && node({ op: className === 'GlobalAveragePooling2D' ? 'globalAvgPool' : 'globalMaxPool' });
      case 'Flatten':
        return node({ op: 'flatten' });
      case 'Dense': {
        const activation = config.activation ?? 'linear';
        const [kernel, bias] = layerWeights();
        if (kernel.rank !== 2) return false;
        node({
          op: 'dense',
          kernel: tf.clone(kernel) as tf.Tensor2D,
          bias: bias ? (tf.clone(bias) as tf.Tensor1D) : null,
          activation: FUSABLE.has(activation) ? (activation as FusedActivation) : 'linear',
        });
        return FUSABLE.has(activation) || this.addActivation(name, activation, this.values.get(name)!);
      }
      default:
        return false;
    }
  }

  /** Gives up: frees every weight copied so far. Returns null for the caller to pass on. */
  abandon(): null {
    disposeWeights(this.nodes);
    return null;
  }

  /** Hands the finished graph to `make`, with each value's last reader so the pass can free it early. */
  finish<T>(make: (nodes: Node[], output: number, taps: Map<string, number>, lastUse: Map<number, number>) => T): T | null {
    const output = this.values.get(this.outputName);
    if (output === undefined) return this.abandon();
    const lastUse = new Map<number, number>();
    this.nodes.forEach((n, i) => {
      if (!n.removed) for (const v of n.inputs) lastUse.set(v, i);
    });
    return make(this.nodes, output, this.taps, lastUse);
  }

  private push(name: string, op: Op, inputs: number[]): true {
    this.nodes.push({ op, inputs });
    const value = this.nodes.length;
    this.values.set(name, value);
    this.taps.set(name, value);
    this.owner.set(value, name);
    return true;
  }

  /** Names whose output was `value` lose their tap: a later layer was folded into it. */
  private forget(value: number): void {
    for (const [tap, v] of this.taps) if (v === value) this.taps.delete(tap);
  }

  /** Layer `name` was folded into the op producing `value`, which now yields `name`'s output. */
  private alias(name: string, value: number): true {
    this.forget(value);
    this.values.set(name, value);
    this.taps.set(name, value);
    this.owner.set(value, name);
    return true;
  }

  /** The node producing value `v` if it is one of `ops` and only the layer being added reads it. */
  private foldable(v: number, ...ops: Op['op'][]): Node | null {
    if (v === 0 || this.readers.get(this.owner.get(v)!) !== 1) return null;
    const node = this.nodes[v - 1];
    return ops.includes(node.op.op) ? node : null;
  }

  /**
   * A linear 1×1 conv (x·A + a, e.g. the gray → RGB stem, or a projection feeding a 1×1 head) read only by the
   * conv `consumer` (kernel B, bias b) is folded into it when that is fewer multiply-adds: B∘A has kernel
   * Σₘ A[i,m]·B[…,m,o] (in double, rounded once). Without padding the bias becomes b + Σ a·B. Zero padding
   * of A's output is not zero in A's input space, so then the fold needs an input g₀ with g₀·A + a = 0 (one
   * input channel with a ∝ A, or a = 0): the input is shifted by −g₀ (one elementwise op), the padding stays
   * zero and exact, and the bias stays b. The gray → RGB stem (A = 2, a = −1 on every channel: g₀ = 0.5) is
   * that case: Conv1 then reads one channel instead of three. Otherwise nothing is folded.
   */
  private foldProjectionInto(consumer: Node): void {
    const op = consumer.op as ConvOp;
    const producer = this.foldable(consumer.inputs[0], 'conv');
    const a = producer?.op as ConvOp | undefined;
    if (!producer || !a || a.activation !== 'linear') return;
    if (typeof a.pad !== 'string' && a.pad.flat().some((p) => p !== 0)) return;
    const [ah, aw, cin, cmid] = a.kernel.shape;
    const [kh, kw, , cout] = op.kernel.shape;
    if (ah !== 1 || aw !== 1 || a.strides.some((s) => s !== 1)) return;
    if (cin * cout * kh * kw > cin * cmid + cmid * cout * kh * kw) return;
    const A = a.kernel.dataSync(), B = op.kernel.dataSync();
    const aBias = a.bias?.dataSync() ?? new Float32Array(cmid);
    const bBias = op.bias?.dataSync() ?? new Float32Array(cout);
    const padded = op.pad === 'same' || (op.pad !== 'valid' && op.pad.flat().some((p) => p !== 0));
    let shift: Float64Array | null = null;
    if (padded && aBias.some((v) => v !== 0)) {
      if (cin !== 1) return;
      // g₀ = −a[m]/A[m] must be one number for every m (up to float rounding).
      const g0 = -aBias[0] / A[0];
      if (!Number.isFinite(g0) || Array.from(aBias).some((v, m) => Math.abs(v + A[m] * g0) > 1e-6 * Math.max(1, Math.abs(v)))) return;
      shift = Float64Array.of(-g0);
    }
    const taps = kh * kw;
    const kernel = new Float32Array(taps * cin * cout);
    const bias = Float64Array.from(bBias);
    // Each output sums its terms in m order in double, rounded once on the store; the loop runs m outside o so
    // the innermost loop walks B's row, in a small function V8 optimises early (a 384→96 projection into a
    // 96→128 head is ~5 M terms, run once at start-up, mostly before any loop is optimised).
    const sums = new Float64Array(cout);
    for (let t = 0; t < taps; t++) {
      for (let i = 0; i < cin; i++) {
        sums.fill(0);
        for (let m = 0; m < cmid; m++) addScaledRow(sums, A[i * cmid + m], B as Float32Array, (t * cmid + m) * cout);
        kernel.set(sums, (t * cin + i) * cout);
      }
      if (!padded) {
        for (let o = 0; o < cout; o++) for (let m = 0; m < cmid; m++) bias[o] += aBias[m] * B[(t * cmid + m) * cout + o];
      }
    }
    op.kernel.dispose();
    op.bias?.dispose();
    op.kernel = tf.tensor4d(kernel, [kh, kw, cin, cout]);
    op.bias = tf.tensor1d(Float32Array.from(bias));
    a.kernel.dispose();
    a.bias?.dispose();
    // The producer's value no longer holds its layer's output: it is the input, or the input shifted by −g₀.
    const value = consumer.inputs[0];
    this.forget(value);
    if (shift) producer.op = { op: 'offset', offset: tf.tensor1d(Float32Array.from(shift)) };
    else {
      producer.removed = true;
      consumer.inputs = [...producer.inputs];
    }
  }

  /** The conv/depthwise/dense op producing `v` when a per-channel affine map or activation can go inside it. */
  private linearBefore(v: number): Extract<Op, { op: 'conv' | 'depthwise' | 'dense' }> | null {
    const op = this.foldable(v, 'conv', 'depthwise', 'dense')?.op;
    return op && (op.op === 'conv' || op.op === 'depthwise' || op.op === 'dense') && op.activation === 'linear' ? op : null;
  }

  /** An activation: inside the conv/dense before it when that op has none yet and no other reader. */
  private addActivation(name: string, activation: string, x: number): boolean {
    const before = FUSABLE.has(activation) ? this.linearBefore(x) : null;
    if (before) {
      before.activation = activation as FusedActivation;
      return this.alias(name, x);
    }
    const fn = STANDALONE[activation];
    return fn !== undefined && this.push(name, { op: 'activation', apply: fn }, [x]);
  }
}
