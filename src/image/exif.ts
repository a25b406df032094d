import { ascii } from './bytes.ts';

/**
 * The EXIF orientation (tag 0x0112 of IFD0, 1–8) in a TIFF-structured block (the body of a JPEG APP1
 * "Exif\0\0" segment after those six bytes, a WebP EXIF chunk, or a TIFF file itself). Undefined when
 * absent, out of range or unreadable: a broken EXIF block never fails an image, it just stays as stored.
 * Hand-written because it is one tag in one table; EXIF libraries (exifr ~60 KB) parse far more.
 */
export function exifOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const little = order === 'II';
  if (view.getUint16(2, little) !== 42) return undefined;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return undefined;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const value = view.getUint16(entry + 8, little); // SHORT, stored left-justified in the value field
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}
