import * as tf from '@tensorflow/tfjs-core';
// Types only: tfjs-layers is imported at run time only for a model the folded graph cannot serve.
import type { LayersModel, model as FunctionalModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { InputSpec } from '../image/raster.ts';
import { FusedForward } from './fused-forward.ts';
import { readTopologyGraph } from './topology-graph.ts';

/** A tfjs layers-format model.json as written by `model.save()`. */
export interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** The files of a saved model: model.json and its weight shards, by the names model.json gives them. */
export interface ModelArtifacts {
  modelJson: ModelJson;
  weights: Record<string, Uint8Array | ArrayBuffer>;
}

/** A class activation map: per-cell contributions to the malignancy logit, on the last conv layer's grid. */
export interface ActivationMap {
  /** Grid size (the last convolutional layer's spatial size). */
  rows: number;
  cols: number;
  /** Row-major contributions to the logit; positive cells push towards malignant. */
  values: Float32Array;
}

// Layer names the training script gives the edge architecture so CAM needs only a forward pass.
const CAM_FEATURES = 'cam_features';
const PREDICTION = 'prediction';
// The pooled features the input gate measures (src/gate/): the global average pool before the dense head.
const POOLED = 'gap';

/** Probabilities with each input's pooled features (the `gap` layer), from one forward pass. */
export interface ClassifiedWithFeatures {
  probabilities: number[];
  /** One vector per input, or null when the model has no layer named `gap`. */
  features: Float32Array[] | null;
  /** With `maps` asked for and the model explainable: each input's activation map, from the same pass. */
  maps?: ActivationMap[];
}

function concatBytes(parts: (Uint8Array | ArrayBuffer)[]): ArrayBuffer {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.byteLength;
  }
  return out.buffer;
}

/** What a Classifier runs on: the folded graph, the layers model, or both (see Classifier.fromArtifacts). */
interface Networks {
  inputShape: readonly (number | null)[];
  names: Set<string>;
  /** The dense head's kernel (the model's `prediction` layer), when it has one. */
  predictionKernel: Float32Array | null;
  fused: FusedForward | null;
  parameterCount: number;
  /** The layers model and tfjs-layers' functional model factory, when the folded graph cannot serve alone. */
  layers: { model: LayersModel; functional: typeof FunctionalModel } | null;
}

/** Loads, warms up and runs the tumour CNN; every tensor it makes is disposed before a call returns. */
export class Classifier {
  readonly inputSpec: InputSpec;
  private readonly names: Set<string>;
  // The dense head's kernel; its bias shifts every cell equally, so the map leaves it out.
  private readonly camWeights: { kernel: Float32Array } | null;
  // The same network with batch norm folded into the convolutions (null when a layer cannot be folded).
  private readonly fused: FusedForward | null;
  private readonly layers: Networks['layers'];
  private readonly parameters: number;
  // Functional views of the layers model for when the folded pass cannot tap a layer; built on first use only,
  // since building them is start-up work the folded pass never needs.
  #camModel?: LayersModel;
  #pooledModel?: LayersModel;
  #pooledFeatureDim?: number;

  private constructor(networks: Networks) {
    const shape = networks.inputShape;
    const [height, width, channels] = [shape[1], shape[2], shape[3]];
    if (!height || !width || (channels !== 1 && channels !== 3)) {
      throw new Error(`Unsupported model input shape ${JSON.stringify(shape)}`);
    }
    this.inputSpec = { height, width, channels };
    this.names = networks.names;
    this.camWeights = this.names.has(CAM_FEATURES) && networks.predictionKernel ? { kernel: networks.predictionKernel } : null;
    this.fused = networks.fused;
    this.layers = networks.layers;
    this.parameters = networks.parameterCount;
  }

  /** The layers model; only paths the folded graph cannot serve reach it, and then fromArtifacts loaded it. */
  private get model(): LayersModel {
    if (!this.layers) throw new Error('the layers model was not loaded: the folded graph serves this model');
    return this.layers.model;
  }

  /** A two-output view (CAM features, probability) of the same layers (weights shared, not copied). */
  private get camModel(): LayersModel {
    return (this.#camModel ??= this.view(CAM_FEATURES, PREDICTION));
  }

  /** A two-output view (pooled features, model output) for when the folded pass cannot tap `gap`. */
  private get pooledModel(): LayersModel {
    return (this.#pooledModel ??= this.view(POOLED));
  }

  private view(first: string, second?: string): LayersModel {
    const output = (name: string) => this.model.getLayer(name).output as SymbolicTensor;
    return this.layers!.functional({ inputs: this.model.inputs, outputs: [output(first), second ? output(second) : this.model.outputs[0]] });
  }

  /**
   * Builds a classifier from in-memory artefacts (no file system or fetch, so it runs on any runtime). The folded
   * graph is built straight from model.json and the decoded weights when it can serve every output (probability,
   * `gap` features, CAM features); only otherwise is tfjs-layers imported and the layers model built, which
   * costs start-up time (module load, layer objects, weight variables) that the folded path does not need.
   */
  static async fromArtifacts({ modelJson, weights }: ModelArtifacts): Promise<Classifier> {
    const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
    const missing = paths.filter((p) => !(p in weights));
    if (missing.length) throw new Error(`Missing weight files: ${missing.join(', ')}`);
    const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
    const weightData = concatBytes(paths.map((p) => weights[p]));
    const folded = foldArtifacts(modelJson.modelTopology, weightSpecs, weightData);
    if (folded) return new Classifier(folded);
    const tfl = await import('@tensorflow/tfjs-layers');
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
    const names = new Set(model.layers.map((l) => l.name));
    return new Classifier({
      inputShape: model.inputs[0].shape,
      names,
      predictionKernel: names.has(PREDICTION) ? model.getLayer(PREDICTION).getWeights()[0].dataSync() as Float32Array : null,
      // Keep the CAM features readable even when a batch norm follows the layer of that name.
      fused: FusedForward.fromModel(model, { keep: [CAM_FEATURES, POOLED] }),
      parameterCount: model.countParams(),
      layers: { model, functional: tfl.model },
    });
  }

  /** Whether explain() is available (the model exposes its last conv features and a dense head). */
  get explainable(): boolean {
    return this.camWeights !== null;
  }

  /** Number of trainable and non-trainable parameters. */
  get parameterCount(): number {
    return this.parameters;
  }

  /**
   * Runs the passes serving runs, on zeros, so the first real request does not pay for kernel set-up. With the
   * folded graph that is one pass giving probability, pooled features and maps (every kernel serving uses).
   */
  warmUp(): void {
    const { features } = this.classifyWithFeatures([this.zeros()], this.explainable);
    if (features) this.#pooledFeatureDim = features[0].length;
  }

  /** Probabilities of malignancy for preprocessed inputs (HWC floats in [0, 1], see toModelInput). */
  classify(inputs: Float32Array[]): number[] {
    if (inputs.length === 0) return [];
    const { height, width, channels } = this.inputSpec;
    return tf.tidy(() => {
      const batch = tf.tensor4d(concatFloats(inputs), [inputs.length, height, width, channels]);
      const output = this.fused ? this.fused.predict(batch) : (this.model.predict(batch) as tf.Tensor);
      return Array.from(output.dataSync());
    });
  }

  /** Whether classifyWithFeatures() returns pooled features (the model has a layer named `gap`). */
  get hasPooledFeatures(): boolean {
    return this.names.has(POOLED);
  }

  /** Length of the pooled feature vector, or null when the model has no layer named `gap`. */
  get pooledFeatureDim(): number | null {
    if (!this.hasPooledFeatures) return null;
    if (this.layers) {
      const shape = this.model.getLayer(POOLED).outputShape as number[];
      return shape[shape.length - 1];
    }
    // model.json records no output shapes: a pass tells (warmUp's, or one on zeros here).
    return (this.#pooledFeatureDim ??= this.classifyWithPooled([this.zeros()]).features![0].length);
  }

  private zeros(): Float32Array {
    return new Float32Array(this.inputSpec.height * this.inputSpec.width * this.inputSpec.channels);
  }

  /**
   * Like classify(), plus each input's pooled `gap` features from the same forward pass (for the input gate)
   * and, with `maps`, each input's activation map (what explain() gives) from that pass too: a heatmap then
   * costs no second forward pass.
   */
  classifyWithFeatures(inputs: Float32Array[], maps = false): ClassifiedWithFeatures {
    if (maps && this.camWeights && this.fused?.hasLayer(CAM_FEATURES) && this.fused.hasLayer(POOLED) && inputs.length) {
      return this.classifyWithMaps(inputs);
    }
    const result = this.classifyWithPooled(inputs);
    return maps && this.explainable ? { ...result, maps: inputs.map((input) => this.explain(input).map) } : result;
  }

  private classifyWithPooled(inputs: Float32Array[]): ClassifiedWithFeatures {
    if (!this.hasPooledFeatures) return { probabilities: this.classify(inputs), features: null };
    if (inputs.length === 0) return { probabilities: [], features: [] };
    const { height, width, channels } = this.inputSpec;
    // The two outputs leave tidy as tensors (so tidy does not walk typed arrays) and are freed right after.
    const [pooled, output] = tf.tidy(() => {
      const batch = tf.tensor4d(concatFloats(inputs), [inputs.length, height, width, channels]);
      return this.fused?.hasLayer(POOLED)
        ? (({ layer, output }) => [layer, output])(this.fused.predictWithLayer(batch, POOLED))
        : (this.pooledModel.predict(batch) as tf.Tensor[]);
    });
    try {
      const depth = pooled.size / inputs.length;
      const flat = pooled.dataSync() as Float32Array;
      const features = inputs.map((_, i) => flat.slice(i * depth, (i + 1) * depth));
      return { probabilities: Array.from(output.dataSync()), features };
    } finally {
      pooled.dispose();
      output.dispose();
    }
  }

  /** The folded pass tapping `gap` and `cam_features` at once: probabilities, pooled features and maps. */
  private classifyWithMaps(inputs: Float32Array[]): ClassifiedWithFeatures {
    const { height, width, channels } = this.inputSpec;
    return tf.tidy(() => {
      const batch = tf.tensor4d(concatFloats(inputs), [inputs.length, height, width, channels]);
      const { output, layers: [pooled, features] } = this.fused!.predictWithLayers(batch, [POOLED, CAM_FEATURES]);
      const { rows, cols, values } = this.cellContributions(features);
      const cells = rows * cols;
      const flat = pooled.dataSync() as Float32Array;
      const size = flat.length / inputs.length;
      return {
        probabilities: Array.from(output.dataSync()),
        features: inputs.map((_, i) => flat.slice(i * size, (i + 1) * size)),
        maps: inputs.map((_, i) => ({ rows, cols, values: values.slice(i * cells, (i + 1) * cells) })),
      };
    });
  }

  /**
   * Each cell's contribution to the malignancy logit for a batch of CAM features [n, rows, cols, depth]: the
   * features times the dense head's kernel, row-major per input. Call inside tf.tidy.
   */
  private cellContributions(features: tf.Tensor): { rows: number; cols: number; values: Float32Array } {
    const [n, rows, cols, depth] = features.shape as number[];
    const contributions = tf.matMul(tf.reshape(features, [n * rows * cols, depth]), tf.tensor2d(this.camWeights!.kernel, [depth, 1]));
    return { rows, cols, values: contributions.dataSync() as Float32Array };
  }

  /** Probability and class activation map for one input (a forward pass; no gradients needed). */
  explain(input: Float32Array): { probability: number; map: ActivationMap } {
    if (!this.camWeights) throw new Error('This model has no class activation map head');
    const { height, width, channels } = this.inputSpec;
    return tf.tidy(() => {
      const x = tf.tensor4d(input, [1, height, width, channels]);
      // The folded pass gives the same features and probability (within float rounding) with warm kernels.
      const [features, prediction] = this.fused?.hasLayer(CAM_FEATURES)
        ? (({ layer, output }) => [layer, output])(this.fused.predictWithLayer(x, CAM_FEATURES))
        : (this.camModel.predict(x) as tf.Tensor[]);
      const { rows, cols, values } = this.cellContributions(features);
      return { probability: prediction.dataSync()[0], map: { rows, cols, values: Float32Array.from(values) } };
    });
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.fused?.dispose();
    this.layers?.model.dispose();
  }
}

/**
 * The folded graph built from model.json and the weight bytes, with what the Classifier needs besides, when it
 * serves every output the Classifier gives (probability, `gap` features, CAM features); else null (nothing kept).
 */
function foldArtifacts(topology: object, specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): Networks | null {
  // Dequantised exactly as tfjs-layers' loadLayersModel does (the same call), so the weights are the same floats.
  const decoded = tf.io.decodeWeights(data, specs);
  try {
    const optimizer = new Set(specs.filter((s) => s.group === 'optimizer').map((s) => s.name));
    const model = Object.fromEntries(Object.entries(decoded).filter(([name]) => !optimizer.has(name)));
    const graph = readTopologyGraph(topology, model);
    if (!graph) return null;
    const names = new Set(graph.layers.map((l) => l.name));
    const fused = FusedForward.fromGraph(graph, { keep: [CAM_FEATURES, POOLED] });
    const taps = [names.has(CAM_FEATURES) && CAM_FEATURES, names.has(POOLED) && POOLED].filter((n): n is string => Boolean(n));
    if (!fused || taps.some((n) => !fused.hasLayer(n))) {
      fused?.dispose();
      return null;
    }
    const prediction = graph.layers.find((l) => l.name === PREDICTION)?.weights()[0];
    return {
      inputShape: graph.inputShape,
      names,
      predictionKernel: prediction ? (prediction.dataSync() as Float32Array).slice() : null,
      fused,
      parameterCount: Object.values(model).reduce((n, t) => n + t.size, 0),
      layers: null,
    };
  } catch {
    return null; // anything unexpected in the file: the layers model reads it (and reports what is wrong)
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

function concatFloats(inputs: Float32Array[]): Float32Array {
  if (inputs.length === 1) return inputs[0];
  const out = new Float32Array(inputs.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of inputs) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
