import { ApiError } from '../errors.ts';

/** What the header of an accepted image says, read without decoding it. */
export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Names formats we recognise but do not decode, so the 415 message can say what was sent. */
function otherFormat(bytes: Uint8Array): string | undefined {
  if (ascii(bytes, 0, 4) === 'GIF8') return 'GIF';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'WebP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (ascii(bytes, 0, 2) === 'BM') return 'BMP';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'HEIF/AVIF/MP4';
  if (ascii(bytes, 0, 4) === '%PDF') return 'PDF';
  if (ascii(bytes, 128, 4) === 'DICM') return 'DICOM';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50])) return 'JPEG 2000';
  if (startsWith(bytes, [0xff, 0x0a])) return 'JPEG XL';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'ICO';
  const head = ascii(bytes, 0, 64).trimStart().toLowerCase();
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return 'SVG/XML';
  return undefined;
}

function corrupt(message: string): ApiError {
  return new ApiError(422, 'corrupt_image', message);
}

function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 33 || ascii(bytes, 12, 4) !== 'IHDR') throw corrupt('PNG header (IHDR) is missing or truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Walks the PNG chunk list (headers only): the codec happily decodes a file cut after its last IDAT, so a
 * truncated upload is caught here by its missing IEND or a chunk running past the end of the data.
 */
function checkPngChunks(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let sawData = false;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = ascii(bytes, offset + 4, 4);
    const next = offset + 12 + length;
    if (next > bytes.length) break;
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') {
      if (!sawData) throw corrupt('PNG has no image data (IDAT)');
      return;
    }
    offset = next;
  }
  throw corrupt('PNG is truncated (no IEND chunk)');
}

/** Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(bytes: Uint8Array): ImageHeader {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw corrupt('JPEG marker stream is broken');
    const marker = bytes[i + 1];
    if (marker === 0xff) { // fill byte before a marker
      i += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // standalone markers have no length
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or start of scan before any frame header
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) throw corrupt('JPEG segment has an invalid length');
    if (isStartOfFrame(marker)) {
      if (i + 9 > bytes.length) break;
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      return { format: 'jpeg', width, height };
    }
    i += 2 + length;
  }
  throw corrupt('JPEG frame header is missing or truncated');
}

/**
 * Identifies an image by its magic bytes (never by file name or Content-Type) and reads its dimensions from
 * the header, so oversized images can be refused before any pixel is decoded.
 */
export function sniffImage(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw corrupt('The image is empty (0 bytes)');
  let header: ImageHeader;
  if (startsWith(bytes, PNG_SIGNATURE)) {
    header = pngHeader(bytes);
    checkPngChunks(bytes);
  }
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) header = jpegHeader(bytes);
  else {
    const name = otherFormat(bytes);
    throw new ApiError(
      415,
      'unsupported_media_type',
      name ? `${name} images are not supported; send PNG or JPEG` : 'Not a PNG or JPEG image; send PNG or JPEG',
    );
  }
  if (header.width === 0 || header.height === 0) throw corrupt('The image header declares zero width or height');
  return header;
}
