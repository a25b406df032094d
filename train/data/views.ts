import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { InputSpec, Raster } from '../../src/image/raster.ts';
import { cropRaster, ROI_MARGIN, type Roi } from '../../src/image/roi.ts';
import { planRoi } from '../../src/image/roi-plan.ts';
import { maskBox } from './masks.ts';
import type { Sample } from './sample.ts';

/** What the model can be shown of one image: the whole frame and views of its lesion box (box mode). */
export interface Views {
  whole: Float32Array;
  /** Lesion-box views, through the serving crop (box + ROI_MARGIN) after a random change of the box; may be empty. */
  crops: Float32Array[];
  /** The expert box, [x, y, width, height] in image pixels, when the data set has one. */
  box?: Roi;
}

/** The expert lesion box of a sample: the data set's own box, or the box around its mask files (BUSI). */
export function lesionBox(sample: Sample, decoders: Decoders): Roi | undefined {
  const box = sample.box ?? (sample.masks?.length ? maskBox(sample.masks, decoders) : undefined);
  return box && { x: box[0], y: box[1], width: box[2], height: box[3] };
}

/**
 * A hand-drawn box around the same lesion: each side scaled by 0.85–1.35 (tight to loose) and the centre moved by up
 * to ±10 % of the box, as different users draw it. `random` is seeded by the caller.
 */
export function jitterBox(box: Roi, random: () => number): Roi {
  const sw = 0.85 + 0.5 * random(), sh = 0.85 + 0.5 * random();
  const cx = box.x + box.width / 2 + (random() - 0.5) * 0.2 * box.width;
  const cy = box.y + box.height / 2 + (random() - 0.5) * 0.2 * box.height;
  const width = Math.max(8, Math.round(box.width * sw)), height = Math.max(8, Math.round(box.height * sh));
  return { x: Math.round(cx - width / 2), y: Math.round(cy - height / 2), width, height };
}

/** The model input for a box exactly as the server makes it (planRoi: clipped, + ROI_MARGIN, squared), cropped, resized. */
export function roiInput(raster: Raster, box: Roi, spec: InputSpec): Float32Array {
  return toModelInput(cropRaster(raster, planRoi(box, raster.width, raster.height, spec, ROI_MARGIN).box), spec);
}

/**
 * Decodes each sample once (serving decoder) and makes its whole-image input plus `crops` box views (the expert box
 * as is first, then jittered boxes). Training, validation and evaluation all go through this and the server's code.
 */
export function loadViews(samples: Sample[], decoders: Decoders, spec: InputSpec, crops: number, random: () => number): Views[] {
  return samples.map((s) => {
    const raster = decodeImage(readFileSync(s.path), decoders, { limits: DEFAULT_IMAGE_LIMITS });
    const box = crops > 0 ? lesionBox(s, decoders) : undefined;
    const views: Float32Array[] = [];
    if (box) {
      views.push(roiInput(raster, box, spec));
      for (let k = 1; k < crops; k++) views.push(roiInput(raster, jitterBox(box, random), spec));
    }
    return { whole: toModelInput(raster, spec), crops: views, box };
  });
}
