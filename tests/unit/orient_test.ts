/** EXIF orientation: each of the eight values turns a stored raster upright, and the JPEG sniff reads the tag. */
import assert from 'node:assert/strict';
import { sniffImage } from '../../src/image/sniff.ts';
import { applyOrientation } from '../../src/image/orient.ts';
import type { Raster } from '../../src/image/raster.ts';
import { gradientJpeg } from '../fixtures/images.ts';
import { withExifOrientation } from '../fixtures/exif.ts';

// Stored 3×2:  a b c / d e f (one gray channel).
const stored: Raster = { width: 3, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
// What a viewer shows for each orientation (EXIF 2.3, tag 0x0112), written out by hand.
const upright: Record<number, [number, number, number[]]> = {
  1: [3, 2, [1, 2, 3, 4, 5, 6]],
  2: [3, 2, [3, 2, 1, 6, 5, 4]],
  3: [3, 2, [6, 5, 4, 3, 2, 1]],
  4: [3, 2, [4, 5, 6, 1, 2, 3]],
  5: [2, 3, [1, 4, 2, 5, 3, 6]],
  6: [2, 3, [4, 1, 5, 2, 6, 3]],
  7: [2, 3, [6, 3, 5, 2, 4, 1]],
  8: [2, 3, [3, 6, 2, 5, 1, 4]],
};

for (const [orientation, [width, height, data]] of Object.entries(upright)) {
  Deno.test(`orientation ${orientation} turns the stored pixels upright`, () => {
    const out = applyOrientation(stored, Number(orientation));
    assert.deepEqual([out.width, out.height, Array.from(out.data)], [width, height, data]);
  });
}

Deno.test('orientation keeps every channel of a pixel together', () => {
  const rgb: Raster = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual(Array.from(applyOrientation(rgb, 6).data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(applyOrientation(rgb, 3).data), [4, 5, 6, 1, 2, 3]);
});

Deno.test('the JPEG sniff reads the EXIF orientation (big- and little-endian) and ignores a broken EXIF block', async () => {
  const jpeg = await gradientJpeg(40, 17);
  assert.deepEqual(sniffImage(withExifOrientation(jpeg, 6, false)), { format: 'jpeg', width: 40, height: 17, orientation: 6 });
  assert.deepEqual(sniffImage(withExifOrientation(jpeg, 8, true)), { format: 'jpeg', width: 40, height: 17, orientation: 8 });
  assert.deepEqual(sniffImage(withExifOrientation(jpeg, 1, true)), { format: 'jpeg', width: 40, height: 17 });
  const broken = withExifOrientation(jpeg, 6, false);
  broken[2 + 2 + 2 + 6] = 0x58; // "MM" → "XM": not a TIFF block
  assert.deepEqual(sniffImage(broken), { format: 'jpeg', width: 40, height: 17 });
});
