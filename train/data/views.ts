import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { InputSpec } from '../../src/image/raster.ts';
import type { Roi } from '../../src/image/roi.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { maskBox } from './masks.ts';
import type { Sample } from './sample.ts';

/** What the model can be shown of one image: the whole frame and views of its lesion box (box mode). */
export interface Views {
  whole: Float32Array;
  /** Lesion-box views, through the serving crop (box + ROI_MARGIN) after a random change of the box; may be empty. */
  crops: Float32Array[];
  /** The expert box, [x, y, width, height] in image pixels, when the data set has one. */
  box?: Roi;
  /**
   * With `withMasks`: the expert lesion mask through exactly the same crop and resize as `whole` and each of `crops`
   * (the auxiliary lesion-mask target); absent when the sample has no mask file.
   */
  masks?: { whole: Float32Array; crops: Float32Array[] };
}

/** The expert lesion box of a sample: the data set's own box, or the box around its mask files (BUSI). */
export async function lesionBox(sample: Sample, decoders: Decoders): Promise<Roi | undefined> {
  const box = sample.box ?? (sample.masks?.length ? await maskBox(sample.masks, decoders) : undefined);
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

/**
 * Makes each sample's whole-image input plus `crops` box views (the expert box as is first, then jittered boxes),
 * each exactly as the server makes it: imageToModelInput with the box (planRoi: clipped, + ROI_MARGIN, clipped, cropped, resized;
 * a JPEG decoded at the scale serving would use). Training, validation and evaluation all go through this.
 */
export async function loadViews(samples: Sample[], decoders: Decoders, spec: InputSpec, crops: number, random: () => number, withMasks = false): Promise<Views[]> {
  const all: Views[] = [];
  const gray = { ...spec, channels: 1 as const };
  for (const s of samples) {
    const bytes = readFileSync(s.path);
    const header = sniffImage(bytes);
    const read = async (roi?: Roi) => (await imageToModelInput(bytes, decoders, spec, DEFAULT_IMAGE_LIMITS, { header, roi })).input;
    // A mask file has the image's size, so the same box gives the same crop; several masks of one image merge by maximum.
    const maskFiles = withMasks ? (s.masks ?? []).map((f) => readFileSync(f)) : [];
    const readMask = async (roi?: Roi) => {
      let merged: Float32Array | undefined;
      for (const m of maskFiles) {
        const one = (await imageToModelInput(m, decoders, gray, DEFAULT_IMAGE_LIMITS, { roi })).input;
        merged = merged ? merged.map((v, i) => Math.max(v, one[i])) : one;
      }
      return merged!;
    };
    const box = crops > 0 ? await lesionBox(s, decoders) : undefined;
    const rois: (Roi | undefined)[] = [undefined];
    if (box) {
      rois.push(box);
      for (let k = 1; k < crops; k++) rois.push(jitterBox(box, random));
    }
    const inputs = await Promise.all(rois.map((roi) => read(roi)));
    const masks = maskFiles.length ? await Promise.all(rois.map((roi) => readMask(roi))) : undefined;
    all.push({ whole: inputs[0], crops: inputs.slice(1), box, masks: masks && { whole: masks[0], crops: masks.slice(1) } });
  }
  return all;
}
