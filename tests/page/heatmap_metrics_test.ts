import assert from 'node:assert/strict';
import { centrePrior, inBorder, scoreHeatmap } from '../../train/eval/heatmap.ts';

// A 100×80 image on a 4×4 grid: cells are 25×20 px.
const W = 100, H = 80;
const grid = (values: number[]) => ({ rows: 4, cols: 4, values, cellWidth: 25, cellHeight: 20 });
function rectMask(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * W + x] = 1;
  return mask;
}
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

Deno.test('a uniform map scores exactly the chance levels', () => {
  const mask = rectMask(30, 25, 60, 55); // 30×30 px
  const s = scoreHeatmap(grid(new Array(16).fill(0.5)), mask, W, H);
  close(s.maskShare, 900 / 8000);
  close(s.massInMask, s.maskShare);
  close(s.massInBorder, s.borderShare);
  // Outer 10%: 10 px left/right, 8 px top/bottom → inner 80×64.
  close(s.borderShare, 1 - (80 * 64) / 8000);
  assert.equal(s.empty, false);
});

Deno.test('all mass in the cell holding the lesion: a hit, and mass in mask = the lesion share of that cell', () => {
  const values = new Array(16).fill(0);
  values[1 * 4 + 1] = 1; // cell x ∈ [25, 50), y ∈ [20, 40), centre (37, 30)
  const s = scoreHeatmap(grid(values), rectMask(30, 25, 45, 35), W, H);
  assert.equal(s.pointingHit, true);
  assert.equal(s.pointingTouch, true);
  close(s.massInMask, (15 * 10) / (25 * 20));
  close(s.massInBorder, 0);
  assert.equal(s.peakInBorder, false);
});

Deno.test('a peak cell that only grazes the lesion is a lenient hit, not a strict one', () => {
  const values = new Array(16).fill(0.1);
  values[0] = 1; // top-left cell x ∈ [0, 25), y ∈ [0, 20): centre (12, 10), just inside the border strips
  const s = scoreHeatmap(grid(values), rectMask(20, 15, 40, 30), W, H);
  assert.equal(s.pointingHit, false);
  assert.equal(s.pointingTouch, true);
  assert.equal(s.peakInBorder, false);
  // Cells overlapping x ∈ [20, 40), y ∈ [15, 30): columns 0–1, rows 0–1.
  close(s.touchChance, 4 / 16);
});

Deno.test('negative values carry no mass; an all-zero map is empty and never hits', () => {
  const values = new Array(16).fill(-1);
  values[5] = 1;
  const s = scoreHeatmap(grid(values), rectMask(25, 20, 50, 40), W, H);
  close(s.massInMask, 1);
  const empty = scoreHeatmap(grid(new Array(16).fill(0)), rectMask(25, 20, 50, 40), W, H);
  assert.equal(empty.empty, true);
  assert.equal(empty.pointingHit, false);
  assert.ok(Number.isNaN(empty.massInMask));
});

Deno.test('a wrong-sized mask is refused; border strips and the centre prior behave', () => {
  assert.throws(() => scoreHeatmap(grid(new Array(16).fill(1)), new Uint8Array(10), W, H), /mask has 10 pixels/);
  assert.equal(inBorder(9, 40, W, H, 0.1), true);
  assert.equal(inBorder(10, 40, W, H, 0.1), false);
  assert.equal(inBorder(50, 72, W, H, 0.1), true);
  // On a 10×10 grid the corner cell's centre (5, 4) lies in the strips.
  const fine = new Array(100).fill(0);
  fine[0] = 1;
  const corner = scoreHeatmap({ rows: 10, cols: 10, values: fine, cellWidth: 10, cellHeight: 8 }, rectMask(40, 30, 60, 50), W, H);
  assert.equal(corner.peakInBorder, true);
  close(corner.massInBorder, 1);
  const prior = centrePrior(4, 4);
  assert.ok(prior[5] > prior[0] && prior[5] === prior[10]);
});

Deno.test('blankBorder paints exactly the border strips black and keeps alpha', async () => {
  const { blankBorder } = await import('../../train/eval/border-occlusion.ts');
  const raster = { width: 20, height: 10, channels: 4 as const, data: new Uint8Array(20 * 10 * 4).fill(200) };
  const out = blankBorder(raster, 0.1); // 2 px left/right, 1 px top/bottom
  assert.equal(raster.data[0], 200, 'the input is not modified');
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 20; x++) {
      const at = (y * 20 + x) * 4;
      const edge = x < 2 || x >= 18 || y < 1 || y >= 9;
      assert.deepEqual([...out.data.subarray(at, at + 4)], edge ? [0, 0, 0, 200] : [200, 200, 200, 200], `(${x}, ${y})`);
    }
  }
});
