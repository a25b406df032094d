/**
 * Every accepted format answers through app.request with (nearly) the probability of the same pixels sent as PNG:
 * the files are built here from shared BUSI images (BMP, TIFF, GIF, and a phone-style JPEG stored rotated with an
 * EXIF orientation). Lossless encodings must land within 0.05 of the PNG's probability (they carry the same
 * pixels, so in practice they are equal); the reported size is the upright one.
 */
import assert from 'node:assert/strict';
import { Image } from 'imagescript';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { applyOrientation } from '../../src/image/orient.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { bundledPredictor, hasBundledModel, testApp } from '../fixtures/app.ts';
import { hasData, readData } from '../fixtures/data.ts';
import { encodeBmp, encodeGif, encodeTiff, type Gray } from '../fixtures/encoders.ts';
import { withExifOrientation } from '../fixtures/exif.ts';
import { multipart } from '../fixtures/images.ts';

const ready = hasData() && (await hasBundledModel());
const FILES = ['busi/malignant/malignant (1).png', 'busi/benign/benign (1).png'];

async function post(app: ReturnType<typeof testApp>['app'], bytes: Uint8Array) {
  // check=off: the input gate (not what is tested here) flags the 1-bit BMP's black-and-white picture.
  const res = await app.request('/predict?check=off', { method: 'POST', body: multipart([{ name: 'image', bytes }]) });
  return { status: res.status, body: await res.json() };
}

/** The stored pixels a camera writes for an upright picture with EXIF orientation 6 (rotate 90° CW to view). */
function storedForOrientation6(gray: Gray): Gray {
  // Orientation 8 turns a picture 90° counter-clockwise: exactly the inverse of 6.
  const r = applyOrientation({ width: gray.width, height: gray.height, channels: 1, data: gray.data }, 8);
  return { width: r.width, height: r.height, data: r.data };
}

async function jpegOf(gray: Gray): Promise<Uint8Array> {
  const image = new Image(gray.width, gray.height);
  for (let i = 0; i < gray.data.length; i++) image.bitmap.set([gray.data[i], gray.data[i], gray.data[i], 255], i * 4);
  return await image.encodeJPEG(95);
}

Deno.test({
  name: 'BMP, TIFF, GIF and an EXIF-rotated JPEG answer 200 within 0.05 of the same picture as PNG',
  ignore: !ready,
  async fn() {
    const predictor = bundledPredictor();
    const { app } = testApp(predictor);
    await predictor;
    await new Promise((r) => setTimeout(r, 0)); // the app picks the predictor up once it resolves
    const decoders = await loadDenoDecoders();
    for (const file of FILES) {
      const png = readData(file);
      const raster = await decodeImage(png, decoders, { limits: DEFAULT_IMAGE_LIMITS });
      assert.equal(raster.channels, 1, `${file} is a gray PNG`);
      const gray: Gray = { width: raster.width, height: raster.height, data: raster.data };
      const reference = await post(app, png);
      assert.equal(reference.status, 200, JSON.stringify(reference.body));
      const variants: [string, Uint8Array, number][] = [
        ['BMP 8-bit bottom-up', encodeBmp(gray, 8), 0.05],
        ['BMP 24-bit top-down', encodeBmp(gray, 24, true), 0.05],
        ['BMP 32-bit', encodeBmp(gray, 32), 0.05],
        ['TIFF uncompressed', encodeTiff(gray, 'none'), 0.05],
        ['TIFF PackBits', encodeTiff(gray, 'packbits'), 0.05],
        ['TIFF Deflate', encodeTiff(gray, 'deflate'), 0.05],
        ['GIF', encodeGif(gray), 0.05],
        ['JPEG stored rotated, EXIF orientation 6', withExifOrientation(await jpegOf(storedForOrientation6(gray)), 6, false), 0.05],
        // 16 and 2 gray levels change the picture itself: only the answer is checked, not the probability.
        ['BMP 4-bit', encodeBmp(gray, 4), Infinity],
        ['BMP 1-bit', encodeBmp(gray, 1), Infinity],
      ];
      for (const [name, bytes, tolerance] of variants) {
        const { status, body } = await post(app, bytes);
        assert.equal(status, 200, `${file} as ${name}: ${JSON.stringify(body)}`);
        assert.deepEqual([body.image.width, body.image.height], [gray.width, gray.height], `${file} as ${name}: upright size`);
        const delta = Math.abs(body.probability - reference.body.probability);
        assert.ok(delta <= tolerance, `${file} as ${name}: p ${body.probability} vs PNG ${reference.body.probability}`);
      }
    }
  },
});
