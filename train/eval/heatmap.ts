/**
 * Scores for a heatmap against a lesion mask, each with the level a map that knows nothing would reach.
 * The heatmap is the API's grid (src/predictor.ts `Heatmap`): cell (r, c) covers
 * x ∈ [c·cellWidth, (c+1)·cellWidth), y ∈ [r·cellHeight, (r+1)·cellHeight) of the image, one value per cell.
 */

/** The parts of the API's heatmap these scores need. */
export interface HeatmapGrid {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
  cellWidth: number;
  cellHeight: number;
}

/** How one heatmap relates to one lesion mask and to the image border. */
export interface HeatmapScores {
  /** The strongest cell's centre pixel lies on the lesion (pointing game). */
  pointingHit: boolean;
  /** The strongest cell overlaps the lesion at all (lenient pointing game). */
  pointingTouch: boolean;
  /** Share of cells that overlap the lesion: the lenient game's chance level for a randomly placed peak. */
  touchChance: number;
  /** Share of the heatmap's mass on lesion pixels (NaN when the map is all zeros). */
  massInMask: number;
  /** Share of the image the lesion covers: what a uniform map scores on `massInMask` and the pointing game. */
  maskShare: number;
  /** Share of the heatmap's mass in the outer border strips (NaN when the map is all zeros). */
  massInBorder: number;
  /** Share of the image in those strips: what a uniform map scores on `massInBorder`. */
  borderShare: number;
  /** The strongest cell's centre lies in the border strips. */
  peakInBorder: boolean;
  /** The map has no positive value at all. */
  empty: boolean;
}

/** Whether pixel (x, y) is in the outer `border` fraction of the image on any side (where calipers and text sit). */
export function inBorder(x: number, y: number, width: number, height: number, border: number): boolean {
  const bx = width * border;
  const by = height * border;
  return x < bx || x >= width - bx || y < by || y >= height - by;
}

/**
 * Scores `heat` against `mask` (width × height, non-zero = lesion). Masses are summed per pixel, each pixel
 * taking its cell's value, so they are exact for the API's piecewise-constant grid.
 */
export function scoreHeatmap(heat: HeatmapGrid, mask: Uint8Array, width: number, height: number, border = 0.1): HeatmapScores {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} pixels, expected ${width}×${height}`);
  const cells = heat.rows * heat.cols;
  const pixels = new Float64Array(cells);
  const lesion = new Float64Array(cells);
  const edge = new Float64Array(cells);
  let maskArea = 0;
  let borderArea = 0;
  for (let y = 0; y < height; y++) {
    const r = Math.min(heat.rows - 1, Math.floor(y / heat.cellHeight));
    for (let x = 0; x < width; x++) {
      const cell = r * heat.cols + Math.min(heat.cols - 1, Math.floor(x / heat.cellWidth));
      pixels[cell]++;
      if (mask[y * width + x]) {
        lesion[cell]++;
        maskArea++;
      }
      if (inBorder(x, y, width, height, border)) {
        edge[cell]++;
        borderArea++;
      }
    }
  }
  let total = 0;
  let onLesion = 0;
  let onBorder = 0;
  let peak = 0;
  let touching = 0;
  for (let c = 0; c < cells; c++) {
    const v = Math.max(0, heat.values[c]);
    total += v * pixels[c];
    onLesion += v * lesion[c];
    onBorder += v * edge[c];
    if (heat.values[c] > heat.values[peak]) peak = c;
    if (lesion[c] > 0) touching++;
  }
  const empty = !(total > 0);
  const [pr, pc] = [Math.floor(peak / heat.cols), peak % heat.cols];
  const cx = Math.min(width - 1, Math.floor((pc + 0.5) * heat.cellWidth));
  const cy = Math.min(height - 1, Math.floor((pr + 0.5) * heat.cellHeight));
  return {
    pointingHit: !empty && mask[cy * width + cx] !== 0,
    pointingTouch: !empty && lesion[peak] > 0,
    touchChance: touching / cells,
    massInMask: empty ? NaN : onLesion / total,
    maskShare: maskArea / (width * height),
    massInBorder: empty ? NaN : onBorder / total,
    borderShare: borderArea / (width * height),
    peakInBorder: !empty && inBorder(cx, cy, width, height, border),
    empty,
  };
}

/**
 * A baseline map that knows only that lesions tend to sit mid-image: a Gaussian bump on the same grid,
 * `sigma` in units of the image side. An explanation is informative only if it beats this.
 */
export function centrePrior(rows: number, cols: number, sigma = 0.25): number[] {
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const dy = (r + 0.5) / rows - 0.5;
      const dx = (c + 0.5) / cols - 0.5;
      values.push(Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)));
    }
  }
  return values;
}
