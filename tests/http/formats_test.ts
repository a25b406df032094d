/**
 * Every accepted format answers through app.request with (nearly) the probability of the same pixels sent as PNG:
 * the files are built here from shared BUSI images (BMP, TIFF, GIF, WebP, and a phone-style JPEG and a WebP stored
 * rotated with an EXIF orientation). Lossless encodings must land within 0.05 of the PNG's probability (they carry the same
 * pixels, so in practice they are equal); the reported size is the upright one.
 */
import assert from 'node:assert/strict';
import { applyOrientation } from '../../src/image/orient.ts';
import { hasBundledModel } from '../fixtures/app.ts';
import { hasData } from '../fixtures/data.ts';
import { encodeBmp, encodeGif, encodeJpeg, encodeTiff, encodeWebp, type Gray, withWebpOrientation } from '../fixtures/encoders.ts';
import { withExifOrientation } from '../fixtures/exif.ts';
import { grayReference, parityApp } from '../fixtures/parity.ts';

const ready = hasData() && (await hasBundledModel());
const FILES = ['busi/malignant/malignant (1).png', 'busi/benign/benign (1).png'];

/** The stored pixels a camera writes for an upright picture with EXIF orientation 6 (rotate 90° CW to view). */
function storedForOrientation6(gray: Gray): Gray {
  // Orientation 8 turns a picture 90° counter-clockwise: exactly the inverse of 6.
  const r = applyOrientation({ width: gray.width, height: gray.height, channels: 1, data: gray.data }, 8);
  return { width: r.width, height: r.height, data: r.data };
}

Deno.test({
  name: 'BMP, TIFF, GIF, WebP and EXIF-rotated JPEG/WebP answer 200 within 0.05 of the same picture as PNG',
  ignore: !ready,
  async fn() {
    const { post } = await parityApp();
    for (const file of FILES) {
      const { gray, probability } = await grayReference(file, post);
      const variants: [string, Uint8Array, number][] = [
        ['BMP 8-bit bottom-up', encodeBmp(gray, 8), 0.05],
        ['BMP 24-bit top-down', encodeBmp(gray, 24, true), 0.05],
        ['BMP 32-bit', encodeBmp(gray, 32), 0.05],
        ['TIFF uncompressed', encodeTiff(gray, 'none'), 0.05],
        ['TIFF PackBits', encodeTiff(gray, 'packbits'), 0.05],
        ['TIFF Deflate', encodeTiff(gray, 'deflate'), 0.05],
        ['GIF', encodeGif(gray), 0.05],
        ['WebP lossless', await encodeWebp(gray, true), 0.05],
        ['WebP lossy (quality 95)', await encodeWebp(gray, false), 0.05],
        ['WebP stored rotated, EXIF orientation 6', withWebpOrientation(await encodeWebp(storedForOrientation6(gray), true), gray.height, gray.width, 6), 0.05],
        ['JPEG stored rotated, EXIF orientation 6', withExifOrientation(await encodeJpeg(storedForOrientation6(gray)), 6, false), 0.05],
        // 16 and 2 gray levels change the picture itself: only the answer is checked, not the probability.
        ['BMP 4-bit', encodeBmp(gray, 4), Infinity],
        ['BMP 1-bit', encodeBmp(gray, 1), Infinity],
      ];
      for (const [name, bytes, tolerance] of variants) {
        const { status, body } = await post(bytes);
        assert.equal(status, 200, `${file} as ${name}: ${JSON.stringify(body)}`);
        assert.deepEqual([body.image.width, body.image.height], [gray.width, gray.height], `${file} as ${name}: upright size`);
        const delta = Math.abs(body.probability - probability);
        assert.ok(delta <= tolerance, `${file} as ${name}: p ${body.probability} vs PNG ${probability}`);
      }
    }
  },
});
