import type { InputSpec, Raster } from '../image/raster.ts';

/** Names of the image statistics, in the order imageStats() returns them (gate.json records them too). */
export const IMAGE_STAT_NAMES = [
  'mean',
  'std',
  'dark',
  'bright',
  'entropy',
  'speckle',
  'flat',
  'colourful',
] as const;

// Gray levels (0–1) below which a pixel counts as background and above which as a white frame or text.
const DARK = 16 / 255;
const BRIGHT = 240 / 255;
const BINS = 16;
// Colour is read from at most GRID × GRID raster pixels: enough for a fraction, cheap for any image size.
const GRID = 64;
// A pixel is clearly coloured when its chroma (max − min of R, G, B) and saturation (chroma / max) are both high:
// tinted gray maps (sepia, blue), which scanners offer for B-mode, have low saturation; Doppler colour has high.
const COLOURFUL_CHROMA = 40;
const COLOURFUL_SATURATION = 0.4;

/**
 * Simple evidence of "B-mode ultrasound or not", transformed so a Gaussian fits them roughly: gray-level
 * statistics of the model input (already area-resized, so they do not depend on the upload's resolution or a
 * reduced JPEG decode) and colour of the decoded raster before any gray conversion (B-mode is gray; colour
 * photos, Doppler and elastography are not). Fractions are returned as logits, amounts as logs.
 */
export function imageStats(raster: Raster, input: Float32Array, spec: InputSpec): Float64Array {
  const { width, height } = spec;
  const n = width * height;
  const gray = grayLevels(input, spec);
  // One pass over the pixels (this runs on every request): each sum still adds its terms in row-major order, so
  // the numbers are the ones separate passes give.
  let sum = 0, sumSq = 0, dark = 0, bright = 0;
  const histogram = new Float64Array(BINS);
  // Speckle: neighbour differences inside the tissue (non-dark) area; flat: how many such pixels have exactly
  // equal neighbours, which drawn graphics have and speckle almost never has.
  let tissue = 0, speckle = 0, flat = 0;
  for (let y = 0, i = 0; y < height; y++) {
    const inner = y + 1 < height;
    for (let x = 0; x < width; x++, i++) {
      const v = gray[i];
      sum += v;
      sumSq += v * v;
      if (v > BRIGHT) bright++;
      histogram[Math.min(BINS - 1, Math.floor(v * BINS))]++;
      if (v < DARK) {
        dark++;
        continue;
      }
      if (!inner || x + 1 === width) continue;
      const dx = Math.abs(gray[i + 1] - v);
      const dy = Math.abs(gray[i + width] - v);
      tissue++;
      speckle += dx + dy;
      if (dx === 0 && dy === 0) flat++;
    }
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  let entropy = 0;
  for (const count of histogram) if (count > 0) entropy -= (count / n) * Math.log2(count / n);
  const colourful = colourFraction(raster);
  return Float64Array.from([
    mean,
    Math.log(std + 0.01),
    logit(dark / n),
    logit(bright / n),
    entropy / Math.log2(BINS),
    Math.log((tissue ? speckle / tissue : 0) + 0.002),
    logit(tissue ? flat / tissue : 1),
    logit(colourful),
  ]);
}

/** The model input's gray levels (float32, as the statistics were fitted on): the input itself when it is gray. */
function grayLevels(input: Float32Array, { width, height, channels }: InputSpec): Float32Array {
  if (channels === 1) return input;
  const n = width * height;
  const gray = new Float32Array(n);
  for (let i = 0; i < n; i++) gray[i] = 0.299 * input[i * 3] + 0.587 * input[i * 3 + 1] + 0.114 * input[i * 3 + 2];
  return gray;
}

function logit(p: number): number {
  const e = 0.005;
  return Math.log((p + e) / (1 - p + e));
}

/** The fraction of clearly coloured pixels (see COLOURFUL_*), on a sparse grid of the raster. */
function colourFraction(raster: Raster): number {
  const { width, height, channels, data } = raster;
  if (channels === 1) return 0;
  const stepX = Math.max(1, Math.floor(width / GRID));
  const stepY = Math.max(1, Math.floor(height / GRID));
  let count = 0, colourful = 0;
  for (let y = stepY >> 1; y < height; y += stepY) {
    for (let x = stepX >> 1; x < width; x += stepX) {
      const i = (y * width + x) * channels;
      // Alpha composited on black, as the model input does.
      const alpha = channels === 4 ? data[i + 3] / 255 : 1;
      const max = Math.max(data[i], data[i + 1], data[i + 2]);
      const chroma = max - Math.min(data[i], data[i + 1], data[i + 2]);
      if (chroma * alpha > COLOURFUL_CHROMA && chroma > COLOURFUL_SATURATION * max) colourful++;
      count++;
    }
  }
  return colourful / count;
}
