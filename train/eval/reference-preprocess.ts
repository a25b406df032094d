import type { InputSpec, Raster } from '../../src/image/raster.ts';

/**
 * The preprocessing as first written (commit 251e3d0): one float plane per channel, and each output row resamples
 * every source row it covers. Slow and plain, kept as the reference the optimised src/image/preprocess.ts is
 * checked against (tests/unit/preprocess_parity_test.ts, bench/parity.ts).
 */
export function referenceModelInput(raster: Raster, spec: InputSpec): Float32Array {
  const { width, height, channels: src, data } = raster;
  const n = width * height;
  const planes = Array.from({ length: spec.channels }, () => new Float32Array(n));
  for (let p = 0, i = 0; p < n; p++, i += src) {
    let r: number, g: number, b: number;
    if (src === 1) r = g = b = data[i];
    else {
      const alpha = src === 4 ? data[i + 3] / 255 : 1;
      r = data[i] * alpha;
      g = data[i + 1] * alpha;
      b = data[i + 2] * alpha;
    }
    if (spec.channels === 1) planes[0][p] = src === 1 ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    else [planes[0][p], planes[1][p], planes[2][p]] = [r, g, b];
  }
  const spans = (inSize: number, outSize: number) => {
    const scale = inSize / outSize;
    return Array.from({ length: outSize }, (_, o) => {
      const from = o * scale;
      const to = Math.min(inSize, (o + 1) * scale);
      const start = Math.floor(from);
      const weights = new Float32Array(Math.max(1, Math.min(inSize, Math.ceil(to)) - start));
      for (let s = start; s < start + weights.length; s++) {
        weights[s - start] = (Math.min(to, s + 1) - Math.max(from, s)) / (to - from);
      }
      return { start, weights };
    });
  };
  const xs = spans(width, spec.width), ys = spans(height, spec.height);
  const out = new Float32Array(spec.height * spec.width * spec.channels);
  const row = new Float32Array(spec.width), acc = new Float32Array(spec.width);
  for (let c = 0; c < spec.channels; c++) {
    for (let oy = 0; oy < spec.height; oy++) {
      acc.fill(0);
      for (let k = 0; k < ys[oy].weights.length; k++) {
        const offset = (ys[oy].start + k) * width;
        for (let ox = 0; ox < spec.width; ox++) {
          let sum = 0;
          for (let j = 0; j < xs[ox].weights.length; j++) sum += xs[ox].weights[j] * planes[c][offset + xs[ox].start + j];
          row[ox] = sum;
        }
        for (let ox = 0; ox < spec.width; ox++) acc[ox] += ys[oy].weights[k] * row[ox];
      }
      for (let ox = 0; ox < spec.width; ox++) out[oy * spec.width * spec.channels + c + ox * spec.channels] = acc[ox] / 255;
    }
  }
  return out;
}
