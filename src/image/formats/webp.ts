import { ApiError } from '../../errors.ts';
import { ascii, corrupt, viewOf } from '../bytes.ts';
import { exifOrientation } from '../exif.ts';
import type { ImageFormat, ImageHeader } from '../format.ts';

const VP8X_ANIMATION = 0x02, VP8X_EXIF = 0x08;

/** The EXIF orientation in a VP8X file's EXIF chunk (a TIFF block, sometimes behind "Exif\0\0"). */
function orientationIn(bytes: Uint8Array): number | undefined {
  const view = viewOf(bytes);
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    if (ascii(bytes, at, 4) === 'EXIF') {
      const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
      return exifOrientation(ascii(body, 0, 6) === 'Exif\0\0' ? body.subarray(6) : body);
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

/**
 * The canvas size from the first chunk without decoding: VP8X (extended: 24-bit canvas size, flags), VP8L (lossless:
 * 14-bit sizes after the 0x2f signature) or VP8 (lossy: 14-bit sizes after the key frame's start code). Animated
 * WebP is refused (415): the decoder reads still images.
 */
function sniff(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 30) throw corrupt('WebP header is truncated');
  const view = viewOf(bytes);
  const chunk = ascii(bytes, 12, 4);
  let width: number, height: number, orientation: number | undefined;
  if (chunk === 'VP8X') {
    const flags = bytes[20];
    if (flags & VP8X_ANIMATION) throw new ApiError(415, 'unsupported_media_type', 'Animated WebP is not supported; send one frame as PNG');
    width = 1 + (view.getUint32(24, true) & 0xffffff);
    height = 1 + (view.getUint32(26, true) >>> 8);
    if (flags & VP8X_EXIF) orientation = orientationIn(bytes);
  } else if (chunk === 'VP8L') {
    if (bytes[20] !== 0x2f) throw corrupt('WebP lossless signature is missing');
    const bits = view.getUint32(21, true);
    width = 1 + (bits & 0x3fff);
    height = 1 + ((bits >>> 14) & 0x3fff);
  } else if (chunk === 'VP8 ') {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) throw corrupt('WebP lossy frame header is missing');
    width = view.getUint16(26, true) & 0x3fff;
    height = view.getUint16(28, true) & 0x3fff;
  } else throw corrupt('WebP has no image chunk (VP8, VP8L or VP8X) first');
  return { format: 'webp', width, height, ...(orientation && orientation > 1 ? { orientation } : {}) };
}

/**
 * WebP, lossy and lossless (VP8X with alpha or EXIF too; the EXIF orientation is applied), decoded by libwebp through
 * the runtime's decoders (src/image/webp-codec.ts). The header sniff is ours: a few fixed offsets.
 */
export const webp: ImageFormat = {
  name: 'webp',
  matches: (bytes) => ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP',
  sniff,
  async decode(bytes, header, { decoders }) {
    if (!decoders.decodeWebp) {
      throw new ApiError(415, 'unsupported_media_type', 'WebP is not available on this server; send PNG or JPEG');
    }
    const raster = await decoders.decodeWebp(bytes);
    // libwebp decodes what the data says; a header that lied about its size is corrupt, not just large.
    if (raster.width !== header.width || raster.height !== header.height) throw corrupt('The WebP data does not match its header');
    return raster;
  },
};
