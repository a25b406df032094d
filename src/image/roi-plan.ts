import type { InputSpec, Raster } from './raster.ts';
import { clipRoi, cropRaster, type Roi, roiCropBox } from './roi.ts';

/** What box mode reads of one image: the crop box in full-size image pixels and the decode size it needs. */
export interface RoiPlan {
  /** The user's box clipped to the image, grown by the margin, clipped again (roiCropBox): what the model reads. */
  box: Roi;
  /**
   * The whole-image size a reduced (DCT-domain) JPEG decode must still cover so that the box alone
   * covers the model input, as decodeImage's `atLeast` (the box is a fraction of the image, so more is needed).
   */
  atLeast: { width: number; height: number };
}

/**
 * Plans box mode for an image of imageWidth × imageHeight (its header's size, before any reduced decode).
 * Throws ApiError 422 `invalid_roi` when the box lies (almost) entirely outside the image.
 */
export function planRoi(roi: Roi, imageWidth: number, imageHeight: number, spec: InputSpec, margin: number): RoiPlan {
  const box = roiCropBox(clipRoi(roi, imageWidth, imageHeight), imageWidth, imageHeight, margin);
  return {
    box,
    atLeast: {
      width: Math.ceil((spec.width * imageWidth) / box.width),
      height: Math.ceil((spec.height * imageHeight) / box.height),
    },
  };
}

/**
 * Crops `box` (in pixels of the fullWidth × fullHeight image) out of a raster that may have been decoded at
 * a reduced scale: the box is scaled to the raster and rounded outwards, so no pixel of the box is lost.
 */
export function cropScaled(raster: Raster, box: Roi, fullWidth: number, fullHeight: number): Raster {
  if (raster.width === fullWidth && raster.height === fullHeight) return cropRaster(raster, box);
  const sx = raster.width / fullWidth, sy = raster.height / fullHeight;
  const x0 = Math.min(raster.width - 1, Math.floor(box.x * sx)), y0 = Math.min(raster.height - 1, Math.floor(box.y * sy));
  const x1 = Math.max(x0 + 1, Math.min(raster.width, Math.ceil((box.x + box.width) * sx)));
  const y1 = Math.max(y0 + 1, Math.min(raster.height, Math.ceil((box.y + box.height) * sy)));
  return cropRaster(raster, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
}
