import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { Raster } from '../../src/image/raster.ts';
import { clipRoi, cropRaster, parseRoi, ROI_MARGIN, roiCropBox, roiMarginOf } from '../../src/image/roi.ts';
import { cropScaled, planRoi } from '../../src/image/roi-plan.ts';

/** Asserts `fn` throws a 422 invalid_roi whose message matches `message`. */
function assertInvalid(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 422);
    assert.equal(err.code, 'invalid_roi');
    assert.match(err.message, message);
    return true;
  });
}

Deno.test('parseRoi reads x,y,width,height with optional spaces and signs', () => {
  assert.deepEqual(parseRoi('10,20,30,40'), { x: 10, y: 20, width: 30, height: 40 });
  assert.deepEqual(parseRoi(' -5 , +7,8 ,  9 '), { x: -5, y: 7, width: 8, height: 9 });
});

Deno.test('parseRoi names the problem: count, non-integer, too small', () => {
  assertInvalid(() => parseRoi('1,2,30'), /four integers.*got 3/);
  assertInvalid(() => parseRoi(''), /four integers/);
  assertInvalid(() => parseRoi('1,2,30,40,5'), /got 5/);
  assertInvalid(() => parseRoi('1,2.5,30,40'), /roi y must be an integer.*"2\.5"/);
  assertInvalid(() => parseRoi('1,2,abc,40'), /roi width must be an integer/);
  assertInvalid(() => parseRoi('1,2,30,'), /roi height must be an integer/);
  assertInvalid(() => parseRoi('1,2,1e3,40'), /roi width/);
  assertInvalid(() => parseRoi('0,0,7,40'), /at least 8 px; got 7×40/);
  assertInvalid(() => parseRoi('0,0,40,-20'), /at least 8 px/);
});

Deno.test('clipRoi keeps inside boxes, clips partly outside ones, refuses outside ones', () => {
  assert.deepEqual(clipRoi({ x: 5, y: 6, width: 20, height: 10 }, 100, 50), { x: 5, y: 6, width: 20, height: 10 });
  assert.deepEqual(clipRoi({ x: -10, y: 40, width: 30, height: 30 }, 100, 50), { x: 0, y: 40, width: 20, height: 10 });
  assert.deepEqual(clipRoi({ x: 90, y: 0, width: 30, height: 100 }, 100, 50), { x: 90, y: 0, width: 10, height: 50 });
  assertInvalid(() => clipRoi({ x: 100, y: 0, width: 10, height: 10 }, 100, 50), /entirely outside the 100×50 image/);
  assertInvalid(() => clipRoi({ x: -20, y: 0, width: 20, height: 10 }, 100, 50), /entirely outside/);
  assertInvalid(() => clipRoi({ x: 95, y: 0, width: 20, height: 20 }, 100, 50), /only 5×20 px inside/);
  // An image smaller than the minimum side: the whole side is enough.
  assert.deepEqual(clipRoi({ x: 0, y: 0, width: 10, height: 10 }, 6, 50), { x: 0, y: 0, width: 6, height: 10 });
});

Deno.test('roiCropBox adds the margin on each side, rounded, and clips to the image', () => {
  assert.equal(ROI_MARGIN, 0.15);
  assert.deepEqual(roiCropBox({ x: 40, y: 30, width: 20, height: 10 }, 200, 100), { x: 37, y: 28, width: 26, height: 14 });
  assert.deepEqual(roiCropBox({ x: 40, y: 30, width: 20, height: 10 }, 200, 100, 0), { x: 40, y: 30, width: 20, height: 10 });
  assert.deepEqual(roiCropBox({ x: 40, y: 30, width: 20, height: 10 }, 200, 100, 0.5), { x: 30, y: 25, width: 40, height: 20 });
  assert.deepEqual(roiCropBox({ x: 2, y: 1, width: 20, height: 20 }, 24, 22, 0.5), { x: 0, y: 0, width: 24, height: 22 });
  // Negative margins shrink the box (training uses them for tight boxes).
  assert.deepEqual(roiCropBox({ x: 0, y: 0, width: 40, height: 40 }, 100, 100, -0.25), { x: 10, y: 10, width: 20, height: 20 });
  assertInvalid(() => roiCropBox({ x: 300, y: 0, width: 20, height: 20 }, 200, 100), /entirely outside/);
});

Deno.test('cropRaster copies the box for 1, 3 and 4 channels', () => {
  for (const channels of [1, 3, 4] as const) {
    const width = 5, height = 4;
    const data = Uint8Array.from({ length: width * height * channels }, (_, i) => i);
    const raster: Raster = { width, height, channels, data };
    const crop = cropRaster(raster, { x: 1, y: 2, width: 3, height: 2 });
    assert.equal(crop.width, 3);
    assert.equal(crop.height, 2);
    assert.equal(crop.channels, channels);
    const expected: number[] = [];
    for (let y = 2; y < 4; y++) for (let x = 1; x < 4; x++) for (let c = 0; c < channels; c++) expected.push(data[(y * width + x) * channels + c]);
    assert.deepEqual(Array.from(crop.data), expected);
    crop.data[0] = 255;
    assert.notEqual(raster.data[(2 * width + 1) * channels], 255, 'a copy, not a view');
  }
});

Deno.test('cropRaster of the whole image equals the image; outside boxes are a programming error', () => {
  const raster: Raster = { width: 3, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual(cropRaster(raster, { x: 0, y: 0, width: 3, height: 2 }), raster);
  assert.throws(() => cropRaster(raster, { x: 1, y: 0, width: 3, height: 2 }), RangeError);
  assert.throws(() => cropRaster(raster, { x: -1, y: 0, width: 1, height: 1 }), RangeError);
  assert.throws(() => cropRaster(raster, { x: 0.5, y: 0, width: 1, height: 1 }), RangeError);
  assert.throws(() => cropRaster(raster, { x: 0, y: 0, width: 0, height: 1 }), RangeError);
});

Deno.test('crop then toModelInput reads only the box: a bright square on black becomes all bright', () => {
  const width = 40, height = 30;
  const data = new Uint8Array(width * height);
  for (let y = 10; y < 20; y++) for (let x = 12; x < 28; x++) data[y * width + x] = 200;
  const raster: Raster = { width, height, channels: 1, data };
  const input = toModelInput(cropRaster(raster, roiCropBox({ x: 12, y: 10, width: 16, height: 10 }, width, height, 0)), {
    width: 4,
    height: 4,
    channels: 1,
  });
  assert.ok(input.every((v) => Math.abs(v - 200 / 255) < 1e-6));
  const whole = toModelInput(raster, { width: 4, height: 4, channels: 1 });
  assert.ok(whole.some((v) => v < 0.5), 'the whole image has dark cells');
});

Deno.test('planRoi: the decode must cover the model input inside the box, not the whole image', () => {
  const plan = planRoi({ x: 100, y: 50, width: 100, height: 50 }, 1000, 500, { width: 32, height: 16, channels: 1 }, 0);
  assert.deepEqual(plan.box, { x: 100, y: 50, width: 100, height: 50 });
  assert.deepEqual(plan.atLeast, { width: 320, height: 160 });
  assertInvalid(() => planRoi({ x: 1000, y: 0, width: 10, height: 10 }, 1000, 500, { width: 8, height: 8, channels: 1 }, 0), /outside/);
});

Deno.test('cropScaled maps a full-size box onto a reduced raster, rounding outwards', () => {
  const data = Uint8Array.from({ length: 10 * 5 }, (_, i) => i);
  const reduced: Raster = { width: 10, height: 5, channels: 1, data }; // a 40×20 image decoded at 1/4
  const crop = cropScaled(reduced, { x: 5, y: 4, width: 10, height: 9 }, 40, 20); // → x 1.25..3.75, y 1..3.25
  assert.deepEqual([crop.width, crop.height], [3, 3]);
  assert.deepEqual(Array.from(crop.data.subarray(0, 3)), [11, 12, 13]);
  const full: Raster = { width: 40, height: 20, channels: 1, data: new Uint8Array(800) };
  assert.deepEqual(cropScaled(full, { x: 5, y: 4, width: 10, height: 9 }, 40, 20).width, 10);
});

Deno.test('roiMarginOf: the card records the margin the model was trained for; ROI_MARGIN otherwise', () => {
  assert.equal(roiMarginOf({}), ROI_MARGIN);
  assert.equal(roiMarginOf({ roi: { margin: 0.25 } }), 0.25);
  assert.equal(roiMarginOf({ roi: { margin: 'wide' } }), ROI_MARGIN);
  assert.equal(roiMarginOf({ roi: { margin: 3 } }), ROI_MARGIN);
});
