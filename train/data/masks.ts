import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { InputSpec } from '../../src/image/raster.ts';
import type { Sample } from './sample.ts';

/** A lesion mask at model resolution (values in [0, 1]) and the box around it, in relative coordinates. */
export interface LesionMask {
  mask: Float32Array;
  /** [y1, x1, y2, x2] in [0, 1], or null when the image shows no lesion (BUSI normals). */
  box: [number, number, number, number] | null;
}

/**
 * Reads each sample's lesion masks through the same resize as the images (so mask and image pixels line up),
 * merging several masks of one image by their maximum. Samples without masks get an empty mask.
 */
export async function loadMasks(samples: Sample[], decoders: Decoders, spec: InputSpec): Promise<LesionMask[]> {
  const size = spec.height * spec.width;
  const masks: LesionMask[] = [];
  for (const s of samples) {
    const mask = new Float32Array(size);
    for (const file of s.masks ?? []) {
      const m = (await imageToModelInput(readFileSync(file), decoders, { ...spec, channels: 1 }, DEFAULT_IMAGE_LIMITS)).input;
      for (let i = 0; i < size; i++) mask[i] = Math.max(mask[i], m[i]);
    }
    masks.push({ mask, box: boundingBox(mask, spec.height, spec.width) });
  }
  return masks;
}

/** The smallest box holding every mask pixel above one half, or null for an empty mask. */
export function boundingBox(mask: Float32Array, height: number, width: number): [number, number, number, number] | null {
  let y1 = height, x1 = width, y2 = -1, x2 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] < 0.5) continue;
      y1 = Math.min(y1, y);
      y2 = Math.max(y2, y);
      x1 = Math.min(x1, x);
      x2 = Math.max(x2, x);
    }
  }
  return y2 < 0 ? null : [y1 / height, x1 / width, (y2 + 1) / height, (x2 + 1) / width];
}

/** The box around every lesion pixel of an image's mask files, [x, y, width, height] in image pixels (BUSI). */
export async function maskBox(files: string[], decoders: Decoders): Promise<[number, number, number, number] | undefined> {
  let x1 = Infinity, y1 = Infinity, x2 = -1, y2 = -1;
  for (const file of files) {
    const m = await decodeImage(readFileSync(file), decoders, { limits: DEFAULT_IMAGE_LIMITS });
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        if (m.data[(y * m.width + x) * m.channels] < 128) continue;
        x1 = Math.min(x1, x), y1 = Math.min(y1, y), x2 = Math.max(x2, x), y2 = Math.max(y2, y);
      }
    }
  }
  return x2 < 0 ? undefined : [x1, y1, x2 - x1 + 1, y2 - y1 + 1];
}
