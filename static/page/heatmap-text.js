// A text equivalent of the heatmap (for people who cannot see it, and for everyone as a check): where its
// strongest cell lies, and how much of its weight sits in the outer border strips, where calipers and text are.
// Pure functions, no DOM: tests/page imports this file directly.

/** The outer fraction of each side counted as border (the same 10 % strips as scripts/heatmap/metrics.ts). */
export const BORDER = 0.1;

// Area of [a0, a1) ∩ [b0, b1) on one axis.
const overlap = (a0, a1, b0, b1) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

const ROWS = ['upper', 'middle', 'lower'];
const COLS = ['left', 'centre', 'right'];

/** Names a point (fractions of width and height) by thirds: "upper left", "centre", "lower right", … */
export function regionName(fx, fy) {
  const row = ROWS[Math.min(2, Math.floor(fy * 3))];
  const col = COLS[Math.min(2, Math.floor(fx * 3))];
  if (row === 'middle' && col === 'centre') return 'centre';
  if (row === 'middle') return `middle ${col}`;
  return `${row} ${col === 'centre' ? 'centre' : col}`;
}

/**
 * Summarises one side of an API heatmap (`values`: row-major, cell (r, c) covering
 * [c·cellWidth, (c+1)·cellWidth) × [r·cellHeight, (r+1)·cellHeight) of a width × height image):
 * the strongest cell's centre (as fractions), its region, whether it lies in the border strips, the share of the
 * map's weight (value × area) in those strips, and the strips' share of the image (what a flat map would give).
 * Returns null when the map has no positive value.
 */
export function summariseHeatmap(heatmap, values, width, height, border = BORDER) {
  const { rows, cols, cellWidth, cellHeight } = heatmap;
  const bx = width * border, by = height * border;
  const innerArea = (width - 2 * bx) * (height - 2 * by);
  let total = 0, inBorder = 0, peak = -1, best = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      if (!(v > 0)) continue;
      const x0 = c * cellWidth, x1 = Math.min(width, x0 + cellWidth);
      const y0 = r * cellHeight, y1 = Math.min(height, y0 + cellHeight);
      const area = (x1 - x0) * (y1 - y0);
      const inner = overlap(x0, x1, bx, width - bx) * overlap(y0, y1, by, height - by);
      total += v * area;
      inBorder += v * (area - inner);
      if (v > best) {
        best = v;
        peak = r * cols + c;
      }
    }
  }
  if (peak < 0 || total <= 0) return null;
  const px = ((peak % cols) + 0.5) * cellWidth, py = (Math.floor(peak / cols) + 0.5) * cellHeight;
  const fx = px / width, fy = py / height;
  return {
    peak: { x: fx, y: fy },
    region: regionName(fx, fy),
    peakInBorder: px < bx || px >= width - bx || py < by || py >= height - by,
    borderShare: inBorder / total,
    borderArea: 1 - innerArea / (width * height),
  };
}

/** One or two plain sentences for a summary; `side` is "malignancy" or "benign". */
export function describeHeatmap(summary, side) {
  if (!summary) return `The heatmap shows no evidence ${side === 'benign' ? 'towards benign' : 'for malignancy'} anywhere.`;
  const what = side === 'benign' ? 'evidence towards benign' : 'evidence for malignancy';
  const pct = (v) => `${Math.round(100 * v)} %`;
  return `Strongest ${what}: ${summary.region} of the image${summary.peakInBorder ? ', in the border strips' : ''}. ` +
    `${pct(summary.borderShare)} of the heatmap lies in the outer ${Math.round(100 * BORDER)} % border strips ` +
    `(${pct(summary.borderArea)} of the image area).`;
}
