import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-node';

/**
 * The ImageNet MobileNetV2 that nsfwjs 4.4.0 (MIT, © Infinite Red) ships as a Keras-layers model: layers up to
 * `block_10_project_BN` keep their ImageNet weights (nsfwjs froze them); later blocks were tuned to its own task.
 */
export const MOBILENET_V2_SOURCE =
  'MobileNetV2 (Sandler et al. 2018) ImageNet weights as shipped in nsfwjs 4.4.0 (MIT licence, Infinite Red), dist/models/mobilenet_v2; layers up to block_10_project_BN are the frozen ImageNet weights';

/** Loads the whole nsfwjs MobileNetV2 (224×224×3 input) from the installed package, without network access. */
export async function loadMobileNetV2(): Promise<{ model: tf.LayersModel; layers: KerasLayerConfig[] }> {
  const require = createRequire(import.meta.url);
  // The package's exports map hides these files; resolve its root through the main entry (dist/cjs/index.js).
  const dir = join(dirname(require.resolve('nsfwjs')), '../models/mobilenet_v2');
  const { modelTopology, weightsManifest } = require(join(dir, 'model.min.js'));
  const shard: string = require(join(dir, 'group1-shard1of1.min.js'));
  const bytes = Buffer.from(shard, 'base64');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology,
      weightSpecs: weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  return { model, layers: modelTopology.model_config.config.layers };
}

/** One layer of a Keras functional topology: its name and the names of the layers feeding it. */
export interface KerasLayerConfig {
  class_name: string;
  name: string;
  inbound_nodes: [string, number, number, object][][];
}

/**
 * Applies the trained layers of `model`, in topology order, to a new input (any spatial size: the trunk is fully
 * convolutional) and returns the output of layer `last`; the weights are shared with `model`, not copied.
 */
export function applyTrunk(model: tf.LayersModel, layers: KerasLayerConfig[], input: tf.SymbolicTensor, last: string): tf.SymbolicTensor {
  return applyTrunkLayers(model, layers, input, last).get(last)!;
}

/**
 * Like applyTrunk, but every layer's output up to `last` (to tap several depths of one pass). With `from`, `input`
 * stands for the output of layer `from` and only the layers after it are applied (the upper part of a split trunk;
 * `from` must be a block output, so no later layer reaches back past it).
 */
export function applyTrunkLayers(
  model: tf.LayersModel,
  layers: KerasLayerConfig[],
  input: tf.SymbolicTensor,
  last: string,
  from?: string,
): Map<string, tf.SymbolicTensor> {
  const outputs = new Map<string, tf.SymbolicTensor>();
  let skipping = from !== undefined;
  for (const config of layers) {
    if (skipping) {
      if (config.name === from) {
        outputs.set(config.name, input);
        skipping = false;
      }
      continue;
    }
    if (config.class_name === 'InputLayer') {
      outputs.set(config.name, input);
      continue;
    }
    const inbound = config.inbound_nodes[0].map(([name]) => outputs.get(name)!);
    outputs.set(config.name, model.getLayer(config.name).apply(inbound.length === 1 ? inbound[0] : inbound) as tf.SymbolicTensor);
    if (config.name === last) return outputs;
  }
  throw new Error(`No layer ${last} in the trunk`);
}
