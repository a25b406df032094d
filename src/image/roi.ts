import { ApiError } from '../errors.ts';
import type { Raster } from './raster.ts';

/** A box in integer pixels of the upright image (after EXIF orientation): top-left corner and size. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Smallest side, in pixels, of a box the user may send: below that there is no lesion to read. */
export const MIN_ROI_SIDE = 8;

/**
 * Fraction of the box's width (height) added on each side before cropping: the model sees the lesion and
 * some surrounding tissue (the margin and shadowing behind a lesion are part of the BI-RADS reading), and
 * tight and loose hand-drawn boxes end up closer to each other. Recorded in the model card.
 */
export const ROI_MARGIN = 0.15;

/**
 * The margin box mode uses with a model: its card's `roi.margin` (training records the margin it was trained
 * for), else ROI_MARGIN.
 */
export function roiMarginOf(card: object): number {
  const margin = ((card as { roi?: { margin?: unknown } }).roi)?.margin;
  return typeof margin === 'number' && margin >= 0 && margin <= 1 ? margin : ROI_MARGIN;
}

function invalid(message: string): ApiError {
  return new ApiError(422, 'invalid_roi', message);
}

const INTEGER = /^[+-]?\d{1,9}$/;

/**
 * Parses `x,y,width,height` (integers, spaces allowed around the commas). x and y may be negative or past
 * the image (clipRoi decides once the image size is known); width and height must be ≥ MIN_ROI_SIDE.
 * Throws ApiError 422 `invalid_roi` naming the problem.
 */
export function parseRoi(text: string): Roi {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4) {
    throw invalid(`roi must be four integers "x,y,width,height" in image pixels; got ${parts.length} value(s)`);
  }
  const names = ['x', 'y', 'width', 'height'] as const;
  const bad = parts.findIndex((p) => !INTEGER.test(p));
  if (bad >= 0) {
    throw invalid(`roi ${names[bad]} must be an integer number of pixels; got "${parts[bad].slice(0, 20)}"`);
  }
  const [x, y, width, height] = parts.map(Number);
  if (width < MIN_ROI_SIDE || height < MIN_ROI_SIDE) {
    throw invalid(`roi width and height must be at least ${MIN_ROI_SIDE} px; got ${width}×${height}`);
  }
  return { x, y, width, height };
}

/**
 * The part of `roi` inside a width × height image. Entirely outside (or leaving less than MIN_ROI_SIDE px,
 * or the whole side of a smaller image) → ApiError 422 `invalid_roi`.
 */
export function clipRoi(roi: Roi, imageWidth: number, imageHeight: number): Roi {
  const x0 = Math.max(0, roi.x), y0 = Math.max(0, roi.y);
  const x1 = Math.min(imageWidth, roi.x + roi.width), y1 = Math.min(imageHeight, roi.y + roi.height);
  if (x1 <= x0 || y1 <= y0) {
    throw invalid(
      `roi ${roi.x},${roi.y},${roi.width},${roi.height} lies entirely outside the ${imageWidth}×${imageHeight} image`,
    );
  }
  if (x1 - x0 < Math.min(MIN_ROI_SIDE, imageWidth) || y1 - y0 < Math.min(MIN_ROI_SIDE, imageHeight)) {
    throw invalid(
      `roi ${roi.x},${roi.y},${roi.width},${roi.height} leaves only ${x1 - x0}×${y1 - y0} px inside the ` +
        `${imageWidth}×${imageHeight} image; at least ${MIN_ROI_SIDE} px per side are needed`,
    );
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The box the model reads: `roi` grown by `margin` × its width (height) on each side, rounded to whole
 * pixels and clipped to the image. Training calls it with random margins, serving with ROI_MARGIN.
 * Throws ApiError 422 `invalid_roi` when nothing of it lies inside the image.
 */
export function roiCropBox(roi: Roi, imageWidth: number, imageHeight: number, margin = ROI_MARGIN): Roi {
  const dx = Math.round(roi.width * margin), dy = Math.round(roi.height * margin);
  return clipRoi(
    { x: roi.x - dx, y: roi.y - dy, width: roi.width + 2 * dx, height: roi.height + 2 * dy },
    imageWidth,
    imageHeight,
  );
}

/** A copy of the pixels of `raster` inside `box` (same channels); the box must lie inside the raster. */
export function cropRaster(raster: Raster, box: Roi): Raster {
  const { x, y, width, height } = box;
  if (
    ![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 1 || height < 1 ||
    x + width > raster.width || y + height > raster.height
  ) {
    throw new RangeError(`crop box ${x},${y},${width},${height} is not inside the ${raster.width}×${raster.height} raster`);
  }
  const { channels } = raster;
  const stride = raster.width * channels, row = width * channels;
  const data = new Uint8Array(height * row);
  for (let r = 0; r < height; r++) {
    const from = (y + r) * stride + x * channels;
    data.set(raster.data.subarray(from, from + row), r * row);
  }
  return { width, height, channels, data };
}
