/**
 * Every BatchNormalization layer's input moments from ONE forward pass over the images, through a view of the model
 * whose outputs are all those inputs. A layer-by-layer pass (batch-norm.ts `layerwise`) needs about L/2 passes for
 * L layers; this needs one, at the price of an approximation in what the upstream layers normalise with.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { balancedBatches, ChannelMoments } from './moments.ts';

type Layer = ReturnType<LayersModel['getLayer']>;

/**
 * What upstream batch-norm layers normalise with during the pass:
 * - `batch`: each batch's own statistics (tfjs-layers' training mode). With batches of a few dozen images these are
 *   close to the statistics of all the local images, i.e. close to the exact layer-by-layer result.
 * - `moving`: the layers' current moving statistics (inference mode): the source model's on a first pass.
 */
export type Upstream = 'batch' | 'moving';

// Layers that training mode would make random: the `batch` pass must not run through them.
const STOCHASTIC = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/**
 * Pooled per-channel mean and unbiased variance of each of `layers`' inputs over all `inputs` (HWC floats), in one
 * pass of `batchSize` images at a time. With `batch`, tfjs-layers' training mode also moves the layers' moving
 * statistics: the caller sets them afterwards anyway.
 */
export function batchNormInputMoments(
  model: LayersModel,
  layers: Layer[],
  inputs: Float32Array[],
  { batchSize = 32, upstream = 'batch' as Upstream, onBatch }: { batchSize?: number; upstream?: Upstream; onBatch?: (done: number, total: number) => void } = {},
): { mean: Float64Array; variance: Float64Array }[] {
  if (upstream === 'batch' && batchSize < 2) throw new Error('batch statistics need at least 2 images per batch');
  // Two layers may share an input tensor: measure it once.
  const tensors = [...new Set(layers.map((l) => l.input as SymbolicTensor))];
  const probe = functionalModel({ inputs: model.inputs, outputs: tensors });
  const noisy = probe.layers.filter((l) => STOCHASTIC.has(l.getClassName())).map((l) => l.name);
  if (upstream === 'batch' && noisy.length) throw new Error(`${noisy.join(', ')} before a batch-norm layer would be random in a batch-statistics pass: use the layerwise method`);
  const axes = layers.map((l) => (l.getConfig().axis as number | undefined) ?? -1);
  const moments = tensors.map(() => new ChannelMoments());
  const axisOf = tensors.map((t) => axes[layers.findIndex((l) => l.input === t)]);
  const shape = model.inputs[0].shape.slice(1) as number[];
  const batches = balancedBatches(inputs.length, batchSize);
  // Batch-norm layers that are not being adapted keep normalising with their own statistics in a batch pass (and
  // training mode would also overwrite those statistics): run them in inference mode for the pass.
  const keep = upstream === 'batch' ? probe.layers.filter((l) => l.getClassName() === 'BatchNormalization' && !layers.includes(l)) : [];
  const restore = keep.map((l) => {
    const call = l.call;
    l.call = (x, kwargs) => call.call(l, x, { ...kwargs, training: false });
    return () => {
      l.call = call;
    };
  });
  try {
    batches.forEach(([start, end], b) => {
      const outs = tf.tidy(() => {
        const x = tf.stack(inputs.slice(start, end).map((input) => tf.tensor(input, shape)));
        const y = upstream === 'batch' ? probe.apply(x, { training: true }) : probe.predict(x);
        return (Array.isArray(y) ? y : [y]) as tf.Tensor[];
      });
      outs.forEach((t, i) => moments[i].add(t, axisOf[i]));
      tf.dispose(outs);
      onBatch?.(b + 1, batches.length);
    });
  } finally {
    restore.forEach((r) => r());
  }
  return layers.map((l) => moments[tensors.indexOf(l.input as SymbolicTensor)].result());
}
