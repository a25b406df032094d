import { ApiError } from '../../errors.ts';
import { ascii, corrupt, viewOf } from '../bytes.ts';
import type { ImageFormat, ImageHeader } from '../format.ts';
import type { Raster } from '../raster.ts';

/**
 * Windows BMP, hand-written: the npm BMP decoders either need Node's Buffer (bmp-js, bmp-ts: absent on Workers
 * without nodejs_compat) or do not read top-down files (decode-bmp). ~100 lines for the layouts scanners and
 * exporters write: 1/4/8-bit palette, 16/32-bit bit fields, 24/32-bit BGR, bottom-up and top-down.
 */
interface BmpLayout {
  width: number;
  height: number;
  topDown: boolean;
  bits: number;
  compression: number;
  /** Where the pixel rows start, and the palette (BGR) for ≤ 8 bits. */
  pixelOffset: number;
  paletteOffset: number;
  paletteEntry: 3 | 4;
  colours: number;
  masks?: [number, number, number];
}

const BI_RGB = 0, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;

function unsupported(what: string): ApiError {
  return new ApiError(415, 'unsupported_media_type', `${what} BMP images are not supported; send an uncompressed BMP, or PNG`);
}

function layout(bytes: Uint8Array): BmpLayout {
  if (bytes.length < 26) throw corrupt('BMP header is truncated');
  const view = viewOf(bytes);
  const pixelOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  if (dibSize === 12) { // OS/2 BITMAPCOREHEADER
    return {
      width: view.getUint16(18, true), height: view.getUint16(20, true), topDown: false, bits: view.getUint16(24, true),
      compression: BI_RGB, pixelOffset, paletteOffset: 26, paletteEntry: 3, colours: 0,
    };
  }
  if (dibSize < 40 || bytes.length < 54) throw corrupt('BMP header is truncated or of an unknown kind');
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  let masks: [number, number, number] | undefined;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (bytes.length < 66) throw corrupt('BMP bit-field masks are truncated');
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
  }
  // Bit-field masks after a 40-byte header come before the palette; V4/V5 headers hold them inside.
  const extra = dibSize === 40 && masks ? (compression === BI_ALPHABITFIELDS ? 16 : 12) : 0;
  return {
    width: view.getInt32(18, true), height: Math.abs(rawHeight), topDown: rawHeight < 0, bits, compression, pixelOffset,
    paletteOffset: 14 + dibSize + extra, paletteEntry: 4, colours: view.getUint32(46, true), masks,
  };
}

function sniff(bytes: Uint8Array): ImageHeader {
  const l = layout(bytes);
  if (l.compression !== BI_RGB && !l.masks) throw unsupported(l.compression === 1 || l.compression === 2 ? 'RLE-compressed' : 'Compressed');
  if (![1, 4, 8, 16, 24, 32].includes(l.bits)) throw unsupported(`${l.bits}-bit`);
  if (l.masks && l.bits !== 16 && l.bits !== 32) throw corrupt('BMP bit fields need 16 or 32 bits per pixel');
  if (l.width < 0) throw corrupt('BMP header declares a negative width');
  return { format: 'bmp', width: l.width, height: l.height, parsed: l };
}

/** Shift and scale that turn a bit-field channel into 0–255. */
function field(mask: number): (v: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (v) => Math.round((((v & mask) >>> shift) * 255) / max);
}

function decode(bytes: Uint8Array, header: ImageHeader): Raster {
  const l = header.parsed as BmpLayout;
  const { width, height, bits } = l;
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  if (l.pixelOffset + stride * height > bytes.length) throw corrupt('BMP pixel data is truncated');
  const view = viewOf(bytes);
  const data = new Uint8Array(width * height * 3);
  let palette: Uint8Array | undefined;
  if (bits <= 8) {
    const count = l.colours || 1 << bits;
    if (l.paletteOffset + count * l.paletteEntry > bytes.length) throw corrupt('BMP palette is truncated');
    palette = new Uint8Array(256 * 3); // indices past the palette read black
    for (let i = 0; i < Math.min(count, 256); i++) {
      const at = l.paletteOffset + i * l.paletteEntry;
      palette.set([bytes[at + 2], bytes[at + 1], bytes[at]], i * 3);
    }
  }
  const [r, g, b] = (l.masks ?? (bits === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff])).map(field);
  for (let y = 0; y < height; y++) {
    const row = l.pixelOffset + (l.topDown ? y : height - 1 - y) * stride;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      if (palette) {
        const perByte = 8 / bits;
        const byte = bytes[row + Math.floor(x / perByte)];
        const index = (byte >> (8 - bits * ((x % perByte) + 1))) & ((1 << bits) - 1);
        data.set(palette.subarray(index * 3, index * 3 + 3), o);
      } else if (bits === 24) {
        const at = row + x * 3;
        data[o] = bytes[at + 2], data[o + 1] = bytes[at + 1], data[o + 2] = bytes[at];
      } else {
        const v = bits === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        data[o] = r(v), data[o + 1] = g(v), data[o + 2] = b(v);
      }
    }
  }
  return { width, height, channels: 3, data };
}

/** BMP by its "BM" magic. */
export const bmp: ImageFormat = {
  name: 'bmp',
  matches: (bytes) => ascii(bytes, 0, 2) === 'BM' && bytes.length >= 18,
  sniff,
  decode,
};
