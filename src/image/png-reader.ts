import type { Raster } from './raster.ts';

/**
 * Inflates a zlib stream, given as the IDAT chunks' data in file order, whose decompressed size is known;
 * throws (or rejects) on bad data and on output beyond `size`. May be async (DecompressionStream is).
 */
export type Inflate = (zlib: Uint8Array[], size: number) => Uint8Array | Promise<Uint8Array>;

/** What the chunk walk found in a common PNG: its layout and its compressed data. */
interface CommonPng {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /** Bits per sample: 8, or 16 (scaled to 8 by rounding). */
  depth: 8 | 16;
  idat: Uint8Array[];
  /** Inflated size: a filter byte plus a row of pixels per row. */
  size: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
// Colour types read here, by the raster channels they become: gray, RGB, RGBA (8 bits each, no palette).
const CHANNELS_BY_COLOUR_TYPE: Record<number, 1 | 3 | 4> = { 0: 1, 2: 3, 6: 4 };

/**
 * Decodes the common PNG layouts straight to a Raster of the file's own channel count: 8- or 16-bit gray, RGB or
 * RGBA, not interlaced, no palette and no tRNS colour key. 16-bit samples are scaled to 8 bits by rounding
 * (v · 255 / 65535), where the wasm codec would keep the high byte (0xFF00 → 255 instead of 254). Returns null for anything else (or anything
 * malformed) so the caller falls back to the full codec, which also produces the errors.
 * Why: a native inflate (DecompressionStream, src/image/stream-inflate.ts) is ~3× faster than the wasm codec's,
 * and 8-bit gray ultrasound frames need no RGBA expansion. (A JavaScript inflate such as fflate was measured
 * slower than the whole wasm decode, so there is no pure-JS path.) CRCs are not checked; the zlib stream's
 * structure and exact length are. Async exactly when `inflate` is.
 */
export function readCommonPng(bytes: Uint8Array, inflate: Inflate): Raster | null | Promise<Raster | null> {
  const png = parseCommonPng(bytes);
  if (!png) return null;
  let filtered: Uint8Array | Promise<Uint8Array>;
  try {
    filtered = inflate(png.idat, png.size);
  } catch {
    return null;
  }
  return filtered instanceof Promise ? filtered.then((f) => finish(png, f), () => null) : finish(png, filtered);
}

function parseCommonPng(bytes: Uint8Array): CommonPng | null {
  if (bytes.length < 8 + 25 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, channels: 1 | 3 | 4 | undefined, depth: 8 | 16 = 8;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = view.getUint32(offset);
    const type = view.getUint32(offset + 4);
    const body = offset + 8;
    if (body + length + 4 > bytes.length) return null;
    if (type === 0x49484452 /* IHDR */) {
      if (length !== 13) return null;
      width = view.getUint32(body);
      height = view.getUint32(body + 4);
      const [bits, colourType, compression, filter, interlace] = bytes.subarray(body + 8, body + 13);
      channels = CHANNELS_BY_COLOUR_TYPE[colourType];
      if ((bits !== 8 && bits !== 16) || !channels || compression !== 0 || filter !== 0 || interlace !== 0) return null;
      depth = bits;
    } else if (type === 0x49444154 /* IDAT */) {
      if (length > 0) idat.push(bytes.subarray(body, body + length));
    } else if (type === 0x74524e53 /* tRNS */ || type === 0x504c5445 /* PLTE */) {
      return null;
    } else if (type === 0x49454e44 /* IEND */) {
      ended = true;
      break;
    }
    offset = body + length + 4;
  }
  if (!ended || !channels || width === 0 || height === 0 || idat.length === 0) return null;
  return { width, height, channels, depth, idat, size: height * ((width * channels * depth) / 8 + 1) };
}

function finish({ width, height, channels, depth, size }: CommonPng, inflated: Uint8Array): Raster | null {
  if (inflated.length !== size) return null;
  // A plain Uint8Array view (not a Node Buffer) keeps the unfilter loops monomorphic.
  const filtered = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  // Filters work on bytes, a 16-bit sample's two bytes apart: bpp counts bytes.
  const data = unfilter(filtered, width, height, (channels * depth) / 8);
  if (!data) return null;
  return { width, height, channels, data: depth === 16 ? roundTo8Bits(data) : data };
}

/** Big-endian 16-bit samples to 8 bits, rounded: round(v · 255 / 65535) = round(v / 257) = ⌊(v + 128) / 257⌋. */
export function roundTo8Bits(samples: Uint8Array): Uint8Array {
  const out = new Uint8Array(samples.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (((samples[2 * i] << 8) | samples[2 * i + 1]) + 128) / 257;
  return out;
}

/**
 * Undoes the per-row PNG filters (None, Sub, Up, Average, Paeth) into a new buffer; null on an unknown
 * filter type. The first row reads a zero row above it, the first pixel zeros to its left (PNG spec §9).
 */
function unfilter(filtered: Uint8Array, width: number, height: number, bpp: number): Uint8Array | null {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  const zeros = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = filtered[y * (stride + 1)];
    const src = filtered.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : zeros;
    if (filter === 4 && bpp === 1 && y + 1 < height && filtered[(y + 1) * (stride + 1)] === 4) {
      const next = filtered.subarray((y + 1) * (stride + 1) + 1, (y + 2) * (stride + 1));
      paethGrayPair(src, next, up, row, out.subarray((y + 1) * stride, (y + 2) * stride));
      y++;
    } else if (!unfilterRow(filter, src, up, row, bpp)) return null;
  }
  return out;
}

// Kept apart (and monomorphic) so the JIT compiles tight loops for each filter.
function unfilterRow(filter: number, src: Uint8Array, up: Uint8Array, row: Uint8Array, bpp: number): boolean {
  const n = row.length;
  switch (filter) {
    case 0:
      row.set(src);
      return true;
    case 1:
      for (let i = 0; i < bpp; i++) row[i] = src[i];
      for (let i = bpp; i < n; i++) row[i] = (src[i] + row[i - bpp]) & 255;
      return true;
    case 2:
      for (let i = 0; i < n; i++) row[i] = (src[i] + up[i]) & 255;
      return true;
    case 3:
      for (let i = 0; i < bpp; i++) row[i] = (src[i] + (up[i] >> 1)) & 255;
      for (let i = bpp; i < n; i++) row[i] = (src[i] + ((row[i - bpp] + up[i]) >> 1)) & 255;
      return true;
    case 4:
      if (bpp === 1) return paethGray(src, up, row);
      if (bpp === 3 || bpp === 4) return paethColour(src, up, row, bpp);
      // With nothing to the left the Paeth predictor is the byte above.
      for (let i = 0; i < bpp; i++) row[i] = (src[i] + up[i]) & 255;
      for (let i = bpp; i < n; i++) row[i] = (src[i] + paeth(row[i - bpp], up[i], up[i - bpp])) & 255;
      return true;
    default:
      return false;
  }
}

/**
 * The Paeth predictor of PNG spec §9.4 without data-dependent branches (they mispredict on image data):
 * pa = |b − c|, pb = |a − c|, pc = |a + b − 2c|; take a unless pb < pa, then c if pc beats the winner; ties go
 * to a, then b. Small enough for the JIT to inline into the loops below.
 */
function paeth(a: number, b: number, c: number): number {
  const p = b - c, q = a - c, r = p + q;
  const pa = (p ^ (p >> 31)) - (p >> 31), pb = (q ^ (q >> 31)) - (q >> 31), pc = (r ^ (r >> 31)) - (r >> 31);
  let mask = (pb - pa) >> 31;
  const best = pa ^ ((pa ^ pb) & mask);
  const predictor = a ^ ((a ^ b) & mask);
  mask = (pc - best) >> 31;
  return predictor ^ ((predictor ^ c) & mask);
}

/**
 * Two consecutive gray Paeth rows at once (most rows of a BUSI frame): the second row's pixel i needs only the
 * first row's pixels i − 1 and i, so it runs right behind the first and the two serial chains overlap
 * (measured 1.34 → 1.05 ms CPU for a 562 × 471 frame's unfilter; four rows at once were no faster).
 */
function paethGrayPair(src0: Uint8Array, src1: Uint8Array, up: Uint8Array, row0: Uint8Array, row1: Uint8Array): void {
  const n = row0.length;
  let a0 = (src0[0] + up[0]) & 255, c0 = up[0];
  row0[0] = a0;
  let a1 = (src1[0] + a0) & 255;
  row1[0] = a1;
  for (let i = 1; i < n; i++) {
    const b0 = up[i], left0 = a0;
    a0 = (src0[i] + paeth(a0, b0, c0)) & 255;
    row0[i] = a0;
    c0 = b0;
    // Above is row 0's pixel i (just made), upper-left its pixel i − 1.
    a1 = (src1[i] + paeth(a1, a0, left0)) & 255;
    row1[i] = a1;
  }
}

/**
 * Paeth for 8-bit RGB and RGBA rows: each channel's left and upper-left bytes stay in registers, as in
 * paethGray, and the three or four channels' chains run side by side. The unfilter of an 831 × 538 RGBA BrEaST
 * frame (most rows Paeth) in local workerd: ~5.9 → ~4.4 ms CPU (bench/workerd-parts.ts `unfilter`, two runs
 * each, alternated; the byte-per-byte loop below it read the left pixel back from the row just written).
 */
function paethColour(src: Uint8Array, up: Uint8Array, row: Uint8Array, bpp: 3 | 4): true {
  const n = row.length;
  const alpha = bpp === 4;
  let a0 = (src[0] + up[0]) & 255, a1 = (src[1] + up[1]) & 255, a2 = (src[2] + up[2]) & 255;
  let a3 = alpha ? (src[3] + up[3]) & 255 : 0;
  let c0 = up[0], c1 = up[1], c2 = up[2], c3 = alpha ? up[3] : 0;
  row[0] = a0, row[1] = a1, row[2] = a2;
  if (alpha) row[3] = a3;
  for (let i = bpp; i < n; i += bpp) {
    const b0 = up[i], b1 = up[i + 1], b2 = up[i + 2];
    row[i] = a0 = (src[i] + paeth(a0, b0, c0)) & 255;
    row[i + 1] = a1 = (src[i + 1] + paeth(a1, b1, c1)) & 255;
    row[i + 2] = a2 = (src[i + 2] + paeth(a2, b2, c2)) & 255;
    c0 = b0, c1 = b1, c2 = b2;
    if (alpha) {
      const b3 = up[i + 3];
      row[i + 3] = a3 = (src[i + 3] + paeth(a3, b3, c3)) & 255;
      c3 = b3;
    }
  }
  return true;
}

/**
 * Paeth for one byte per pixel (gray, most ultrasound PNGs): the left byte and the upper-left byte stay in
 * registers from one pixel to the next instead of being read back from the row just written, which shortens
 * the serial chain every Paeth pixel waits on (measured 1.7 → 1.3 ms CPU on a 562 × 471 frame).
 */
function paethGray(src: Uint8Array, up: Uint8Array, row: Uint8Array): true {
  const n = row.length;
  let a = (src[0] + up[0]) & 255, c = up[0];
  row[0] = a;
  for (let i = 1; i < n; i++) {
    const b = up[i];
    a = (src[i] + paeth(a, b, c)) & 255;
    row[i] = a;
    c = b;
  }
  return true;
}
