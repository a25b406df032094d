import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { InputSpec, Raster } from '../../src/image/raster.ts';
import type { Sample } from './sample.ts';

/**
 * Turns image files (any accepted format) into model inputs with the serving code itself (imageToModelInput),
 * so training, evaluation and the API see identical tensors for the same file.
 */
export async function loadInputs(samples: Sample[], decoders: Decoders, spec: InputSpec): Promise<Float32Array[]> {
  const inputs: Float32Array[] = [];
  for (const s of samples) inputs.push((await imageToModelInput(readFileSync(s.path), decoders, spec, DEFAULT_IMAGE_LIMITS)).input);
  return inputs;
}

/** Model inputs for rasters that are already decoded (BreastMNIST arrays), through the same preprocessing. */
export function rastersToInputs(rasters: Raster[], spec: InputSpec): Float32Array[] {
  return rasters.map((r) => toModelInput(r, spec));
}
