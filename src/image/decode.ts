import { ApiError } from '../errors.ts';
import type { Decoders } from './codecs.ts';
import type { ImageLimits } from './limits.ts';
import type { Raster } from './raster.ts';
import { type ImageHeader, sniffImage } from './sniff.ts';

/** Options for decodeImage. */
export interface DecodeOptions {
  limits: ImageLimits;
  /**
   * The size the caller will area-resize to (the model input). A JPEG then decodes at a reduced DCT-domain scale
   * that still covers JPEG_SCALE_MARGIN × this size (see Decoders.decodeJpeg); PNG ignores it.
   */
  atLeast?: { width: number; height: number };
  /** The header, when the caller has already sniffed these bytes (saves walking the PNG chunks twice). */
  header?: ImageHeader;
}

/**
 * A reduced JPEG decode covers twice the target size, so the area resize still averages ≥ 2×2 decoded pixels
 * per output. Measured on all BUSI + BrEaST images re-encoded as 2× JPEGs (bench/parity.ts): margin 1 moved
 * probabilities by up to 0.18, margin 2 by up to 0.03–0.06, about what the JPEG re-encoding alone does (README,
 * performance). Infinity turns reduced decoding off.
 */
export const JPEG_SCALE_MARGIN = 2;

/**
 * Sniffs, checks the size limits from the header and decodes PNG or JPEG bytes. The limits are checked
 * before decoding because a tiny compressed file can declare a gigapixel image (a decompression bomb).
 */
export function decodeImage(bytes: Uint8Array, decoders: Decoders, options: DecodeOptions): Raster {
  const header = options.header ?? sniffImage(bytes);
  const { maxPixels, maxSide } = options.limits;
  if (header.width > maxSide || header.height > maxSide || header.width * header.height > maxPixels) {
    throw new ApiError(
      413,
      'too_many_pixels',
      `Image is ${header.width}×${header.height}; the limit is ${maxPixels} pixels and ${maxSide} px per side`,
    );
  }
  let raster: Raster;
  try {
    raster = header.format === 'png' ? decoders.decodePng(bytes) : decoders.decodeJpeg(bytes, options.atLeast && {
          width: options.atLeast.width * JPEG_SCALE_MARGIN,
          height: options.atLeast.height * JPEG_SCALE_MARGIN,
        });
  } catch {
    throw new ApiError(422, 'corrupt_image', `The ${header.format.toUpperCase()} data is corrupt or truncated`);
  }
  // The codec decodes what the data says; a header that lied about its size is corrupt, not just large.
  if (header.format === 'png' && (raster.width !== header.width || raster.height !== header.height)) {
    throw new ApiError(422, 'corrupt_image', 'The PNG data does not match its header');
  }
  return raster;
}
