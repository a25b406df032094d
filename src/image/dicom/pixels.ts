import type { Raster } from '../raster.ts';

/** The pixel module of a DICOM data set (group 0028), as read by src/image/formats/dicom.ts. */
export interface PixelModule {
  rows: number;
  columns: number;
  samples: 1 | 3;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422';
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  planar: boolean;
  slope: number;
  intercept: number;
  /** The first VOI window (Window Center / Width), when the file has a usable one. */
  window?: { center: number; width: number };
}

/** Bytes one native (uncompressed) frame takes. */
export function nativeFrameBytes(p: PixelModule): number {
  if (p.photometric === 'YBR_FULL_422') return p.rows * p.columns * 2; // Y Y Cb Cr per pixel pair
  return p.rows * p.columns * p.samples * (p.bitsAllocated / 8);
}

/**
 * One native frame to 8-bit pixels: gray through the modality rescale (slope, intercept) and the VOI window
 * (DICOM PS3.3 C.11.2.1.2, linear) when present; without a window, 8-bit unsigned pixels stay as stored and
 * anything else is stretched from the frame's own minimum to maximum. MONOCHROME1 (0 = white) is inverted.
 * Colour frames (RGB, YBR_FULL, YBR_FULL_422; interleaved or planar) become RGB.
 */
export function nativeFrame(frame: Uint8Array, p: PixelModule): Raster {
  return p.samples === 1 ? grayFrame(frame, p) : colourFrame(frame, p);
}

function grayFrame(frame: Uint8Array, p: PixelModule): Raster {
  const n = p.rows * p.columns;
  const bits = p.bitsStored, shift = p.highBit + 1 - bits, mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  // The stored value of each pixel (bits above High Bit dropped, sign extended), kept as an index 0 … 2^bits − 1.
  let codes: Uint8Array | Uint16Array;
  if (p.bitsAllocated === 16) {
    codes = new Uint16Array(n);
    for (let i = 0; i < n; i++) codes[i] = (view.getUint16(i * 2, true) >> shift) & mask;
  } else if (shift !== 0 || mask !== 0xff) {
    codes = new Uint8Array(n);
    for (let i = 0; i < n; i++) codes[i] = (frame[i] >> shift) & mask;
  } else codes = frame.subarray(0, n);
  const value = (code: number) => (p.signed && code >= 1 << (bits - 1) ? code - (1 << bits) : code) * p.slope + p.intercept;
  // One look-up table over the possible stored values (≤ 65,536), so each pixel costs one load.
  const lut = new Uint8Array(1 << bits);
  const plain = !p.window && bits <= 8 && !p.signed && p.slope === 1 && p.intercept === 0;
  if (plain) for (let c = 0; c < lut.length; c++) lut[c] = c;
  else if (p.window) {
    const { center, width } = p.window;
    for (let c = 0; c < lut.length; c++) {
      const y = ((value(c) - (center - 0.5)) / (width - 1) + 0.5) * 255;
      lut[c] = Math.round(Math.min(255, Math.max(0, y)));
    }
  } else {
    let lo = Infinity, hi = -Infinity;
    const seen = new Uint8Array(lut.length);
    for (let i = 0; i < n; i++) seen[codes[i]] = 1;
    for (let c = 0; c < lut.length; c++) if (seen[c]) lo = Math.min(lo, value(c)), hi = Math.max(hi, value(c));
    const span = hi - lo || 1;
    for (let c = 0; c < lut.length; c++) lut[c] = Math.round(Math.min(255, Math.max(0, ((value(c) - lo) * 255) / span)));
  }
  const data = new Uint8Array(n);
  const invert = p.photometric === 'MONOCHROME1' ? 255 : 0;
  for (let i = 0; i < n; i++) data[i] = lut[codes[i]] ^ invert; // 255 − v, as v ≤ 255
  return { width: p.columns, height: p.rows, channels: 1, data };
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

function colourFrame(frame: Uint8Array, p: PixelModule): Raster {
  const n = p.rows * p.columns;
  const data = new Uint8Array(n * 3);
  if (p.photometric === 'YBR_FULL_422') {
    for (let i = 0, o = 0; i + 3 < n * 2; i += 4, o += 6) {
      ybrToRgb(frame[i], frame[i + 2], frame[i + 3], data, o);
      ybrToRgb(frame[i + 1], frame[i + 2], frame[i + 3], data, o + 3);
    }
  } else if (p.photometric === 'RGB' && !p.planar) {
    data.set(frame.subarray(0, n * 3));
  } else {
    // Interleaved (R G B R G B …) or planar (all R, then all G, then all B): where each sample of pixel i is.
    const [step, c1, c2] = p.planar ? [1, n, 2 * n] : [3, 1, 2];
    for (let i = 0, s = 0, o = 0; i < n; i++, s += step, o += 3) {
      if (p.photometric === 'RGB') data[o] = frame[s], data[o + 1] = frame[s + c1], data[o + 2] = frame[s + c2];
      else ybrToRgb(frame[s], frame[s + c1], frame[s + c2], data, o);
    }
  }
  return { width: p.columns, height: p.rows, channels: 3, data };
}

/** Full-range YCbCr (as JPEG/JFIF, DICOM PS3.3 C.7.6.3.1.2) to RGB. */
function ybrToRgb(y: number, cb: number, cr: number, out: Uint8Array, at: number): void {
  out[at] = clamp(y + 1.402 * (cr - 128));
  out[at + 1] = clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
  out[at + 2] = clamp(y + 1.772 * (cb - 128));
}
