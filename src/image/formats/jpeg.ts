import { ascii, corrupt, startsWith } from '../bytes.ts';
import { exifOrientation } from '../exif.ts';
import type { ImageFormat, ImageHeader } from '../format.ts';

/** Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** One walk over the segments up to the frame header: size, and the EXIF orientation on the way (APP1). */
function jpegHeader(bytes: Uint8Array): ImageHeader {
  let i = 2;
  let orientation: number | undefined;
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
    if (marker === 0xe1 && orientation === undefined && ascii(bytes, i + 4, 6) === 'Exif\0\0') {
      orientation = exifOrientation(bytes.subarray(i + 10, Math.min(bytes.length, i + 2 + length)));
    }
    if (isStartOfFrame(marker)) {
      if (i + 9 > bytes.length) break;
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      return orientation && orientation !== 1 ? { format: 'jpeg', width, height, orientation } : { format: 'jpeg', width, height };
    }
    i += 2 + length;
  }
  throw corrupt('JPEG frame header is missing or truncated');
}

/** JPEG through imagescript's wasm codec, at a reduced DCT scale when the caller's target allows it. */
export const jpeg: ImageFormat = {
  name: 'jpeg',
  matches: (bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]),
  sniff: jpegHeader,
  decode: (bytes, header, { decoders, atLeast }) => decoders.decodeJpeg(bytes, atLeast, header),
};
