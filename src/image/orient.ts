import type { Raster } from './raster.ts';

/** True for EXIF orientations 5–8, whose upright image swaps width and height. */
export function swapsSides(orientation: number | undefined): boolean {
  return orientation !== undefined && orientation >= 5 && orientation <= 8;
}

/**
 * Turns a raster stored with EXIF orientation 1–8 upright (as a viewer shows it). For each upright pixel
 * (x, y) the stored pixel it comes from, per the EXIF 2.3 definition of the tag's values.
 */
export function applyOrientation(raster: Raster, orientation: number | undefined): Raster {
  if (!orientation || orientation === 1 || orientation > 8) return raster;
  const { width: w, height: h, channels, data } = raster;
  const swap = swapsSides(orientation);
  const outWidth = swap ? h : w;
  const outHeight = swap ? w : h;
  const source: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * w + (w - 1 - x),
    3: (x: number, y: number) => (h - 1 - y) * w + (w - 1 - x),
    4: (x: number, y: number) => (h - 1 - y) * w + x,
    5: (x: number, y: number) => x * w + y,
    6: (x: number, y: number) => (h - 1 - x) * w + y,
    7: (x: number, y: number) => (h - 1 - x) * w + (w - 1 - y),
    8: (x: number, y: number) => x * w + (w - 1 - y),
  }[orientation]!;
  const out = new Uint8Array(data.length);
  for (let y = 0, o = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const s = source(x, y) * channels;
      for (let c = 0; c < channels; c++) out[o++] = data[s + c];
    }
  }
  return { width: outWidth, height: outHeight, channels, data: out };
}
