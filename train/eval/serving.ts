/** Scores images exactly as the API does: imageToModelInput → Classifier on the tfjs WASM backend. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { Decoders } from '../../src/image/codecs.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { Raster } from '../../src/image/raster.ts';
import { Classifier, type ModelJson } from '../../src/model/classifier.ts';

/** Switches this process to the WASM backend the server uses (so scores match the API's bit for bit). */
export async function useServingBackend(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Loads a saved model folder (model.json + shards) into the serving Classifier. */
export async function loadServingClassifier(dir: string): Promise<Classifier> {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const weights = Object.fromEntries(
    modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]),
  );
  return Classifier.fromArtifacts({ modelJson, weights });
}

/** Probabilities of malignancy for image files, through the serving code path. */
export async function scoreFiles(classifier: Classifier, decoders: Decoders, paths: string[]): Promise<number[]> {
  const scores: number[] = [];
  for (const path of paths) {
    const { input } = await imageToModelInput(readFileSync(path), decoders, classifier.inputSpec, DEFAULT_IMAGE_LIMITS);
    scores.push(classifier.classify([input])[0]);
  }
  return scores;
}

/** Probabilities for already-decoded rasters (npz data), through the same preprocessing and classifier. */
export function scoreRasters(classifier: Classifier, rasters: Raster[]): number[] {
  return rasters.map((r) => classifier.classify([toModelInput(r, classifier.inputSpec)])[0]);
}
