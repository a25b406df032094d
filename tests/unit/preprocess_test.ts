import assert from 'node:assert/strict';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { Raster } from '../../src/image/raster.ts';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) < eps, `[${i}] ${a[i]} vs ${b[i]}`);
};

Deno.test('area resize averages the pixels each output cell covers, then scales to [0, 1]', () => {
  const gray: Raster = { width: 4, height: 2, channels: 1, data: new Uint8Array([0, 255, 10, 20, 255, 0, 30, 40]) };
  close(toModelInput(gray, { height: 1, width: 2, channels: 1 }), [127.5 / 255, 25 / 255]);
});

Deno.test('fractional cells weigh source pixels by overlap (3 → 2)', () => {
  const row: Raster = { width: 3, height: 1, channels: 1, data: new Uint8Array([0, 90, 180]) };
  // cell 0 covers [0, 1.5): 2/3·0 + 1/3·90 = 30; cell 1 covers [1.5, 3): 1/3·90 + 2/3·180 = 150
  close(toModelInput(row, { height: 1, width: 2, channels: 1 }), [30 / 255, 150 / 255]);
});

Deno.test('RGB becomes Rec. 601 luma; alpha is composited on black', () => {
  const rgba: Raster = { width: 2, height: 1, channels: 4, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 51]) };
  close(toModelInput(rgba, { height: 1, width: 2, channels: 1 }), [0.299, (0.114 * 51) / 255]);
});

Deno.test('three-channel models get RGB planes interleaved (HWC)', () => {
  const gray: Raster = { width: 1, height: 1, channels: 1, data: new Uint8Array([51]) };
  close(toModelInput(gray, { height: 1, width: 2, channels: 3 }), [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]);
});

Deno.test('output shape follows the spec, not the image', () => {
  const img: Raster = { width: 7, height: 5, channels: 3, data: new Uint8Array(7 * 5 * 3).fill(200) };
  const out = toModelInput(img, { height: 4, width: 6, channels: 1 });
  assert.equal(out.length, 24);
  close(out, Array(24).fill(200 / 255), 1e-5);
});
