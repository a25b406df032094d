/** The original project's CNN (its README: Conv32-3×3 → MaxPool → Conv64-3×3 → MaxPool → Flatten → Dense128 →
 * Dense1 on 299×299×3), built with random weights: enough to time it, not to use it. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelArtifacts, ModelJson } from '../src/model/classifier.ts';

/** Saved artefacts of the seed architecture (≈ 44 M parameters, ≈ 175 MB of float32 weights). */
export async function seedModelArtifacts(): Promise<ModelArtifacts> {
  const model = tfl.sequential({
    name: 'seed',
    layers: [
      tfl.layers.conv2d({ inputShape: [299, 299, 3], filters: 32, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction' }),
    ],
  });
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  const modelJson: ModelJson = {
    modelTopology: saved!.modelTopology as object,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs! }],
    format: 'layers-model',
  };
  return { modelJson, weights: { 'weights.bin': new Uint8Array(saved!.weightData as ArrayBuffer) } };
}
