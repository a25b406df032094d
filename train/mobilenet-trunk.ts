/**
 * nsfwjs 4.4.0's Keras MobileNetV2 (ImageNet weights, MIT) cut after an intermediate block, at any square input
 * size, with the edge head (cam_features → gap → dropout → prediction). Backend-agnostic (tfjs-core/layers
 * only), so Deno benches and tests build the same network training starts from.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelArtifacts, ModelJson } from '../src/model/classifier.ts';

/** How to cut and head the trunk. */
export interface TrunkOptions {
  /** Last MobileNetV2 block kept (1–16); the cut is that block's residual add, or its projection when it has none. */
  block: number;
  /** Square input side in pixels. */
  size: number;
  /** 1: a learned 1×1 conv maps gray to the 3 channels the trunk expects; 3: the caller replicates gray. */
  channels: 1 | 3;
  /** Filters of the 1×1 conv + BN + ReLU whose output is `cam_features`. */
  headFilters: number;
  /** Seed of the head's initialisers. */
  seed?: number;
}

// Blocks whose input and output shapes differ have no residual add.
const NO_ADD = new Set([1, 3, 6, 10, 13, 16]);

/** The layer a cut after `block` ends at. */
export function cutLayer(block: number): string {
  if (!Number.isInteger(block) || block < 1 || block > 16) throw new Error(`MobileNetV2 has blocks 1–16, not ${block}`);
  return NO_ADD.has(block) ? `block_${block}_project_BN` : `block_${block}_add`;
}

/** The full nsfwjs MobileNetV2 (224×224×3) as tfjs layers, weights dequantised to float32. */
export async function loadMobileNetV2(): Promise<tfl.LayersModel> {
  // The package ships the model as two UMD scripts: the topology object and the weight shard in base64.
  const require = createRequire(import.meta.url);
  const root = require.resolve('nsfwjs').replace(/dist[\\/]cjs[\\/]index\.js$/, 'dist/models/mobilenet_v2/');
  const { modelTopology, weightsManifest } = require(`${root}model.min.js`) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const shard = require(`${root}group1-shard1of1.min.js`) as string;
  const bytes = Uint8Array.from(atob(shard), (c) => c.charCodeAt(0));
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology,
    weightSpecs: weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer,
  }));
}

/**
 * Builds the cut trunk with the head by re-applying the MobileNetV2 layers (shared weights) to a new input,
 * then saves and reloads it so the result is exactly what a model.json + weights.bin would give.
 */
export async function trunkArtifacts(full: tfl.LayersModel, options: TrunkOptions): Promise<ModelArtifacts> {
  const { block, size, channels, headFilters, seed = 1 } = options;
  const cut = cutLayer(block);
  const input = tfl.input({ shape: [size, size, channels], name: 'image' });
  const outputs = new Map<string, tfl.SymbolicTensor>();
  outputs.set(full.inputLayers[0].name, channels === 3 ? input : tfl.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    name: 'gray_to_rgb',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
  }).apply(input) as tfl.SymbolicTensor);
  for (const layer of full.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const inbound = layer.inboundNodes[0].inboundLayers.map((l) => outputs.get(l.name)!);
    outputs.set(layer.name, layer.apply(inbound.length === 1 ? inbound[0] : inbound) as tfl.SymbolicTensor);
    if (layer.name === cut) break;
  }
  let x = outputs.get(cut)!;
  x = tfl.layers.conv2d({ filters: headFilters, kernelSize: 1, useBias: false, name: 'cam_conv', kernelInitializer: tfl.initializers.heNormal({ seed: seed + 1 }) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'cam_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'cam_features' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.3, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x, name: `mobilenet_v2_block${block}_${size}` });
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  // Only the head's own layers belong to this model; the trunk's are the full model's (freed by its owner).
  for (const name of ['gray_to_rgb', 'cam_conv', 'cam_bn', 'prediction']) {
    if (model.layers.some((l) => l.name === name)) model.getLayer(name).dispose();
  }
  const modelJson: ModelJson = {
    modelTopology: saved!.modelTopology as object,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs! }],
    format: 'layers-model',
  };
  return { modelJson, weights: { 'weights.bin': new Uint8Array(saved!.weightData as ArrayBuffer) } };
}
