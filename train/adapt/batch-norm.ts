/**
 * AdaBN (Li et al. 2016): re-estimates every BatchNormalization layer's moving mean and variance on images from
 * a new site, leaving all learned weights as they are. Works on any tfjs layers model (a chain or a DAG such as
 * MobileNetV2's residual blocks), on whichever tfjs backend is active.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { balancedBatches, ChannelMoments, median } from './moments.ts';
import { batchNormInputMoments, type Upstream } from './one-pass.ts';

/** How far one layer's statistics moved: mean shift in source standard deviations, variance ratio new/source. */
export interface LayerShift {
  name: string;
  channels: number;
  /** Mean over channels of |new mean − source mean| / source std. */
  meanShift: number;
  /** Median over channels of new variance / source variance. */
  varianceRatio: number;
}

/**
 * How the statistics are measured. `layerwise` (exact): layer k is measured with layers 1…k−1 already adapted,
 * about L/2 forward passes for L layers. `one-pass`: every layer measured in one pass (one-pass.ts), optionally
 * refined by further passes. docs/adapt.md compares them.
 */
export type AdaptMethod = 'one-pass' | 'layerwise';

/**
 * Which batch-norm layers to re-estimate. `all`; or `trainable`: only the layers the model's config marks trainable,
 * i.e. whose statistics were estimated on the training images. A frozen layer (e.g. an ImageNet trunk kept in
 * inference mode while training) holds ImageNet statistics: the rest of the network was trained on features
 * normalised with those, so replacing them changes the features even for images from the training sites.
 */
export type AdaptLayers = 'all' | 'trainable';

/** Options of adaptBatchNorm. */
export interface AdaptOptions {
  /** Images per forward pass (memory; for `layerwise` results too are the same for any size). */
  batchSize?: number;
  /**
   * Keras' convention: moving = momentum · source + (1 − momentum) · target. 0 (default) replaces the source
   * statistics with the local ones; 0.5 mixes them half and half.
   */
  momentum?: number;
  method?: AdaptMethod;
  /** Default `all`. */
  layers?: AdaptLayers;
  /** `one-pass` only: what upstream layers normalise with in the first pass (one-pass.ts), default `batch`. */
  upstream?: Upstream;
  /**
   * `one-pass` only: passes in all (default 1). Each further pass re-measures every layer in inference mode with
   * the statistics the previous pass set (after L passes the result is the layer-by-layer one).
   */
  passes?: number;
  /** Progress: layers done (`layerwise`) or batches done over all passes (`one-pass`). */
  onProgress?: (done: number, total: number, unit: 'layers' | 'batches') => void;
}

type BatchNormLayer = ReturnType<LayersModel['getLayer']>;
type Stats = { mean: Float32Array; variance: Float32Array };

/** The model's BatchNormalization layers in network (topological) order (`trainable`: those marked trainable). */
export function batchNormLayers(model: LayersModel, which: AdaptLayers = 'all'): BatchNormLayer[] {
  return model.layers.filter((l) => l.getClassName() === 'BatchNormalization' && (which === 'all' || l.trainable));
}

/** Positions of moving_mean and moving_variance among the layer's weights. */
function movingIndexes(layer: BatchNormLayer): [number, number] {
  const names = layer.weights.map((w) => w.originalName.split('/').at(-1));
  const at: [number, number] = [names.indexOf('moving_mean'), names.indexOf('moving_variance')];
  if (at[0] < 0 || at[1] < 0) throw new Error(`${layer.name}: no moving_mean/moving_variance weights`);
  return at;
}

/** A copy of the layer's moving statistics. */
export function movingStats(layer: BatchNormLayer): Stats {
  const [iMean, iVar] = movingIndexes(layer);
  const w = layer.getWeights();
  return { mean: Float32Array.from(w[iMean].dataSync()), variance: Float32Array.from(w[iVar].dataSync()) };
}

/** Sets the layer's moving statistics to momentum · source + (1 − momentum) · measured. */
function setMoving(layer: BatchNormLayer, source: Stats, measured: { mean: Float64Array; variance: Float64Array }, momentum: number): void {
  const [iMean, iVar] = movingIndexes(layer);
  const current = layer.getWeights();
  const mix = (old: Float32Array, next: Float64Array) => Float32Array.from(next, (v, c) => momentum * old[c] + (1 - momentum) * v);
  const fresh = [tf.tensor(mix(source.mean, measured.mean), current[iMean].shape), tf.tensor(mix(source.variance, measured.variance), current[iVar].shape)];
  layer.setWeights(current.map((w, i) => (i === iMean ? fresh[0] : i === iVar ? fresh[1] : w)));
  // setWeights assigned copies; `current` are the layer's own variables and must stay alive.
  tf.dispose(fresh);
}

function shiftOf(name: string, source: Stats, adapted: Stats): LayerShift {
  const channels = adapted.mean.length;
  let shift = 0;
  for (let c = 0; c < channels; c++) shift += Math.abs(adapted.mean[c] - source.mean[c]) / Math.sqrt(source.variance[c] + 1e-3);
  return {
    name,
    channels,
    meanShift: shift / channels,
    varianceRatio: median(Array.from(adapted.variance, (v, c) => v / Math.max(source.variance[c], 1e-12))),
  };
}

/** Layer k's input moments with the model as it is now (layers before k already adapted). */
function layerInputMoments(model: LayersModel, layer: BatchNormLayer, inputs: Float32Array[], batchSize: number) {
  const axis = (layer.getConfig().axis as number | undefined) ?? -1;
  // A view of the shared layers up to this layer's input (weights shared, not copied).
  const probe = functionalModel({ inputs: model.inputs, outputs: layer.input as SymbolicTensor });
  const shape = model.inputs[0].shape.slice(1) as number[];
  const moments = new ChannelMoments();
  for (const [start, end] of balancedBatches(inputs.length, batchSize)) {
    const x = tf.tidy(() => probe.predict(tf.stack(inputs.slice(start, end).map((input) => tf.tensor(input, shape)))) as tf.Tensor);
    moments.add(x, axis);
    x.dispose();
  }
  return moments.result();
}

/**
 * Re-estimates each BatchNormalization layer's moving mean/variance from `inputs` (HWC floats from toModelInput)
 * with the chosen method (default `one-pass`). Modifies `model` in place; returns what moved per layer.
 */
export function adaptBatchNorm(model: LayersModel, inputs: Float32Array[], options: AdaptOptions = {}): LayerShift[] {
  const { batchSize = 32, momentum = 0, method = 'one-pass', upstream = 'batch', passes = 1, onProgress, layers: which = 'all' } = options;
  if (!(momentum >= 0 && momentum < 1)) throw new Error('momentum must be in [0, 1)');
  if (inputs.length < 2) throw new Error('need at least 2 images');
  if (!(Number.isInteger(passes) && passes >= 1)) throw new Error('passes must be a whole number ≥ 1');
  const layers = batchNormLayers(model, which);
  if (layers.length === 0) throw new Error(`the model has no ${which === 'all' ? '' : 'trainable '}batch-norm layers to adapt`);
  const source = layers.map(movingStats);
  if (method === 'layerwise') {
    layers.forEach((layer, k) => {
      setMoving(layer, source[k], layerInputMoments(model, layer, inputs, batchSize), momentum);
      onProgress?.(k + 1, layers.length, 'layers');
    });
  } else if (method === 'one-pass') {
    const perPass = balancedBatches(inputs.length, batchSize).length;
    for (let p = 0; p < passes; p++) {
      const measured = batchNormInputMoments(model, layers, inputs, {
        batchSize,
        upstream: p === 0 ? upstream : 'moving',
        onBatch: (done) => onProgress?.(p * perPass + done, passes * perPass, 'batches'),
      });
      layers.forEach((layer, k) => setMoving(layer, source[k], measured[k], momentum));
    }
  } else {
    throw new Error(`unknown method ${method} (one-pass or layerwise)`);
  }
  return layers.map((layer, k) => shiftOf(layer.name, source[k], movingStats(layer)));
}
