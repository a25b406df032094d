import { ApiError } from '../errors.ts';
import { ascii, corrupt, startsWith } from './bytes.ts';
import type { ImageFormat, ImageHeader } from './format.ts';
import { FORMATS } from './registry.ts';

export type { ImageHeader } from './format.ts';

/** Names formats we recognise but do not decode (none of the registry's), so the 415 message can say what was sent. */
function otherFormat(bytes: Uint8Array): string | undefined {
  if (ascii(bytes, 4, 4) === 'ftyp') return 'HEIF/AVIF/MP4';
  if (ascii(bytes, 0, 4) === '%PDF') return 'PDF';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50])) return 'JPEG 2000';
  if (startsWith(bytes, [0xff, 0x0a])) return 'JPEG XL';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'ICO';
  const head = ascii(bytes, 0, 64).trimStart().toLowerCase();
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return 'SVG/XML';
  return undefined;
}

/** The accepted formats' names for messages ("PNG, JPEG"). */
export function acceptedNames(formats: readonly ImageFormat[] = FORMATS): string {
  return formats.map((f) => f.name.toUpperCase()).join(', ');
}

/**
 * Identifies an image by its magic bytes (never by file name or Content-Type) through the format registry
 * and reads its dimensions from the header, so oversized images can be refused before any pixel is decoded.
 */
export function sniffImage(bytes: Uint8Array, formats: readonly ImageFormat[] = FORMATS): ImageHeader {
  if (bytes.length === 0) throw corrupt('The image is empty (0 bytes)');
  const format = formats.find((f) => f.matches(bytes));
  if (!format) {
    const name = otherFormat(bytes);
    const accepted = acceptedNames(formats);
    throw new ApiError(
      415,
      'unsupported_media_type',
      name ? `${name} images are not supported; send one of ${accepted}` : `Not an image format this API reads; send one of ${accepted}`,
    );
  }
  const header = format.sniff(bytes);
  if (header.width === 0 || header.height === 0) throw corrupt('The image header declares zero width or height');
  return header;
}

/** The registry entry for a sniffed header. */
export function formatOf(header: ImageHeader, formats: readonly ImageFormat[] = FORMATS): ImageFormat {
  const format = formats.find((f) => f.name === header.format);
  if (!format) throw new Error(`no decoder registered for ${header.format}`);
  return format;
}
