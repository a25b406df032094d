import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { InputSpec, Raster } from '../../src/image/raster.ts';
import type { Sample } from './sample.ts';

/**
 * Turns image files into model inputs with the serving code itself (decodeImage → toModelInput), so training,
 * evaluation and the API see identical tensors for the same file.
 */
export function loadInputs(samples: Sample[], decoders: Decoders, spec: InputSpec): Float32Array[] {
  return samples.map((s) => {
    const raster = decodeImage(readFileSync(s.path), decoders, { limits: DEFAULT_IMAGE_LIMITS });
    return toModelInput(raster, spec);
  });
}

/** Model inputs for rasters that are already decoded (BreastMNIST arrays), through the same preprocessing. */
export function rastersToInputs(rasters: Raster[], spec: InputSpec): Float32Array[] {
  return rasters.map((r) => toModelInput(r, spec));
}
