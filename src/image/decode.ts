import { ApiError } from '../errors.ts';
import type { Decoders, Size } from './codecs.ts';
import { formatOf, sniffImage } from './sniff.ts';
import type { ImageHeader } from './format.ts';
import type { ImageLimits } from './limits.ts';
import { applyOrientation, swapsSides } from './orient.ts';
import type { Raster } from './raster.ts';

/** Options for decodeImage. */
export interface DecodeOptions {
  limits: ImageLimits;
  /**
   * The upright size the caller will area-resize (this part of) the image to. A JPEG then decodes at a reduced
   * DCT-domain scale that still covers JPEG_SCALE_MARGIN × this size (see Decoders.decodeJpeg); others ignore it.
   */
  atLeast?: Size;
  /** The header, when the caller has already sniffed these bytes (no header is walked twice). */
  header?: ImageHeader;
  /** 1-based frame of a multi-frame file (default 1); checked against the header's frame count. */
  frame?: number;
}

/**
 * A reduced JPEG decode covers twice the target size, so the area resize still averages ≥ 2×2 decoded pixels
 * per output. Measured on all BUSI + BrEaST images re-encoded as 2× JPEGs (bench/parity.ts): margin 1 moved
 * probabilities by up to 0.18, margin 2 by up to 0.03–0.06, about what the JPEG re-encoding alone does (README,
 * performance). Infinity turns reduced decoding off.
 */
export const JPEG_SCALE_MARGIN = 2;

/** Refuses an image whose header declares more pixels than the limits allow (before any decoding). */
export function checkLimits(header: ImageHeader, limits: ImageLimits): void {
  const { maxPixels, maxSide } = limits;
  for (const { width, height } of [header, header.frameSize ?? header]) {
    if (width > maxSide || height > maxSide || width * height > maxPixels) {
      throw new ApiError(413, 'too_many_pixels', `Image is ${width}×${height}; the limit is ${maxPixels} pixels and ${maxSide} px per side`);
    }
  }
}

/**
 * Sniffs (unless given the header), checks the size limits from the header, decodes with the format's decoder
 * from the registry and turns the result upright (EXIF orientation). The limits are checked before decoding
 * because a tiny compressed file can declare a gigapixel image (a decompression bomb).
 */
export async function decodeImage(bytes: Uint8Array, decoders: Decoders, options: DecodeOptions): Promise<Raster> {
  const header = options.header ?? sniffImage(bytes);
  checkLimits(header, options.limits);
  const frames = header.frames ?? 1;
  const frame = options.frame ?? 1;
  if (!Number.isInteger(frame) || frame < 1 || frame > frames) {
    throw new ApiError(400, 'bad_request', `frame=${frame} is out of range: the image has ${frames} frame${frames === 1 ? '' : 's'}`);
  }
  const format = formatOf(header);
  const swap = swapsSides(header.orientation);
  const atLeast = options.atLeast && {
    width: (swap ? options.atLeast.height : options.atLeast.width) * JPEG_SCALE_MARGIN,
    height: (swap ? options.atLeast.width : options.atLeast.height) * JPEG_SCALE_MARGIN,
  };
  let raster: Raster;
  try {
    raster = await format.decode(bytes, header, { decoders, atLeast, frame: frame - 1 });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(422, 'corrupt_image', `The ${header.format.toUpperCase()} data is corrupt or truncated`);
  }
  return applyOrientation(raster, header.orientation);
}
