import type { InputSpec, Raster } from './raster.ts';

/**
 * The one preprocessing of the project, shared by serving, evaluation and training (the original trained
 * on 0–255 and served 0–1; one function makes that mistake impossible).
 * Steps: channel conversion (Rec. 601 luma for gray; alpha composited on black), area-average resize of
 * the whole frame to the model's size (no crop, as the original), scale to [0, 1]. Returns HWC floats.
 */
export function toModelInput(raster: Raster, spec: InputSpec): Float32Array {
  const { width: inWidth, height: inHeight } = raster;
  const { width: outWidth, height: outHeight, channels } = spec;
  const xs = areaWeights(inWidth, outWidth);
  const ys = areaWeights(inHeight, outHeight);
  const out = new Float32Array(outHeight * outWidth * channels);
  const line = new Float32Array(inWidth);
  // Every source row resampled horizontally once (a row on a cell boundary serves two output rows).
  const columns = new Float32Array(inHeight * outWidth);
  const acc = new Float32Array(outWidth);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < inHeight; y++) {
      // A gray source row is resampled straight from the raster (its luma is its value): no copy per row.
      if (raster.channels === 1) resampleGrayLine(raster.data, y * inWidth, xs, columns, y * outWidth);
      else {
        sourceLine(raster, y, channels === 1 ? -1 : c, line);
        resampleLine(line, xs, columns, y * outWidth);
      }
    }
    for (let oy = 0; oy < outHeight; oy++) {
      acc.fill(0);
      const start = ys.starts[oy];
      for (let k = 0; k < ys.counts[oy]; k++) {
        const wy = ys.weights[oy * ys.taps + k];
        const from = (start + k) * outWidth;
        for (let ox = 0; ox < outWidth; ox++) acc[ox] += wy * columns[from + ox];
      }
      const base = oy * outWidth * channels + c;
      for (let ox = 0; ox < outWidth; ox++) out[base + ox * channels] = acc[ox] / 255;
    }
  }
  return out;
}

/**
 * One source row as 0–255 floats: channel `channel` (RGB, alpha composited on black), or Rec. 601 luma when
 * `channel` is −1. Gray sources are copied as they are (their luma is the gray value).
 */
function sourceLine(raster: Raster, y: number, channel: number, line: Float32Array): void {
  const { width, channels: src, data } = raster;
  let i = y * width * src;
  if (src === 1) {
    for (let x = 0; x < width; x++) line[x] = data[i++];
    return;
  }
  if (channel < 0) {
    for (let x = 0; x < width; x++, i += src) {
      let r = data[i], g = data[i + 1], b = data[i + 2];
      // Opaque pixels (nearly all) skip the multiplies: × 255/255 = × 1 changes nothing.
      if (src === 4 && data[i + 3] !== 255) {
        const alpha = data[i + 3] / 255;
        r *= alpha, g *= alpha, b *= alpha;
      }
      line[x] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
    return;
  }
  for (let x = 0; x < width; x++, i += src) {
    const value = data[i + channel];
    line[x] = src === 4 && data[i + 3] !== 255 ? value * (data[i + 3] / 255) : value;
  }
}

/** For each output pixel, the source pixels it covers (`starts`, `counts`) and their area fractions. */
interface AreaWeights {
  starts: Int32Array;
  counts: Int32Array;
  /** `taps` weights per output pixel, zero-padded. */
  weights: Float32Array;
  taps: number;
}

/** For each output pixel, the source pixels it covers and the fraction of its area each one contributes. */
function areaWeights(inSize: number, outSize: number): AreaWeights {
  const scale = inSize / outSize;
  const taps = Math.ceil(scale) + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const from = o * scale;
    const to = Math.min(inSize, (o + 1) * scale);
    const start = Math.floor(from);
    const count = Math.max(1, Math.min(inSize, Math.ceil(to)) - start);
    starts[o] = start;
    counts[o] = count;
    for (let s = start; s < start + count; s++) {
      weights[o * taps + s - start] = (Math.min(to, s + 1) - Math.max(from, s)) / (to - from);
    }
  }
  return { starts, counts, weights, taps };
}

function resampleLine(line: Float32Array, xs: AreaWeights, into: Float32Array, offset: number): void {
  const { starts, counts, weights, taps } = xs;
  for (let ox = 0; ox < starts.length; ox++) {
    const start = starts[ox];
    const w = ox * taps;
    let sum = 0;
    for (let k = 0; k < counts[ox]; k++) sum += weights[w + k] * line[start + k];
    into[offset + ox] = sum;
  }
}

/** resampleLine for a gray raster's row starting at `at` (kept apart so each loop sees one array type). */
function resampleGrayLine(data: Uint8Array, at: number, xs: AreaWeights, into: Float32Array, offset: number): void {
  const { starts, counts, weights, taps } = xs;
  for (let ox = 0; ox < starts.length; ox++) {
    const start = at + starts[ox];
    const w = ox * taps;
    let sum = 0;
    for (let k = 0; k < counts[ox]; k++) sum += weights[w + k] * data[start + k];
    into[offset + ox] = sum;
  }
}
