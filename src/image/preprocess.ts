import type { InputSpec, Raster } from './raster.ts';

/**
 * The one preprocessing of the project, shared by serving, evaluation and training (the original trained
 * on 0–255 and served 0–1; one function makes that mistake impossible).
 * Steps: channel conversion (Rec. 601 luma for gray; alpha composited on black), area-average resize of
 * the whole frame to the model's size (no crop, as the original), scale to [0, 1]. Returns HWC floats.
 */
export function toModelInput(raster: Raster, spec: InputSpec): Float32Array {
  const planes = toPlanes(raster, spec.channels);
  const out = new Float32Array(spec.height * spec.width * spec.channels);
  const xs = areaWeights(raster.width, spec.width);
  const ys = areaWeights(raster.height, spec.height);
  const row = new Float32Array(spec.width);
  const acc = new Float32Array(spec.width);
  for (let c = 0; c < spec.channels; c++) {
    const plane = planes[c];
    for (let oy = 0; oy < spec.height; oy++) {
      acc.fill(0);
      const y = ys[oy];
      for (let k = 0; k < y.weights.length; k++) {
        resampleRow(plane, (y.start + k) * raster.width, xs, row);
        const wy = y.weights[k];
        for (let ox = 0; ox < spec.width; ox++) acc[ox] += wy * row[ox];
      }
      const base = oy * spec.width * spec.channels + c;
      for (let ox = 0; ox < spec.width; ox++) out[base + ox * spec.channels] = acc[ox] / 255;
    }
  }
  return out;
}

/** Splits a raster into float planes of 0–255 values, converted to the requested channel count. */
function toPlanes(raster: Raster, channels: 1 | 3): Float32Array[] {
  const { width, height, channels: src, data } = raster;
  const n = width * height;
  const planes = Array.from({ length: channels }, () => new Float32Array(n));
  for (let p = 0, i = 0; p < n; p++, i += src) {
    let r: number, g: number, b: number;
    if (src === 1) r = g = b = data[i];
    else {
      const alpha = src === 4 ? data[i + 3] / 255 : 1;
      r = data[i] * alpha;
      g = data[i + 1] * alpha;
      b = data[i + 2] * alpha;
    }
    if (channels === 1) planes[0][p] = src === 1 ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      planes[0][p] = r;
      planes[1][p] = g;
      planes[2][p] = b;
    }
  }
  return planes;
}

interface Span {
  start: number;
  weights: Float32Array;
}

/** For each output pixel, the source pixels it covers and the fraction of its area each one contributes. */
function areaWeights(inSize: number, outSize: number): Span[] {
  const scale = inSize / outSize;
  const spans: Span[] = [];
  for (let o = 0; o < outSize; o++) {
    const from = o * scale;
    const to = Math.min(inSize, (o + 1) * scale);
    const start = Math.floor(from);
    const end = Math.min(inSize, Math.ceil(to));
    const weights = new Float32Array(Math.max(1, end - start));
    for (let s = start; s < start + weights.length; s++) {
      weights[s - start] = (Math.min(to, s + 1) - Math.max(from, s)) / (to - from);
    }
    spans.push({ start, weights });
  }
  return spans;
}

function resampleRow(plane: Float32Array, offset: number, xs: Span[], row: Float32Array): void {
  for (let ox = 0; ox < xs.length; ox++) {
    const { start, weights } = xs[ox];
    let sum = 0;
    for (let k = 0; k < weights.length; k++) sum += weights[k] * plane[offset + start + k];
    row[ox] = sum;
  }
}
