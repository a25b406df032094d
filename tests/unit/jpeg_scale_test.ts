/** Reduced-scale JPEG decoding covers the requested size in both dimensions with the smallest scale that can. */
import assert from 'node:assert/strict';
import { decodeImage, JPEG_SCALE_MARGIN } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';

const decoders = await loadDenoDecoders();
// 48×32 baseline JPEG: scales 1/8, 1/4, 1/2, 1 give 6×4, 12×8, 24×16, 48×32.
const jpeg = Deno.readFileSync(new URL('../fixtures/colour/baseline.jpg', import.meta.url));

const cases: [{ width: number; height: number } | undefined, [number, number]][] = [
  [undefined, [48, 32]],
  [{ width: 6, height: 4 }, [6, 4]],
  [{ width: 12, height: 8 }, [12, 8]],
  // The codec alone would stop at 1/8 because the width is covered; the height needs 1/2.
  [{ width: 6, height: 16 }, [24, 16]],
  [{ width: 13, height: 1 }, [24, 16]],
  [{ width: 100, height: 100 }, [48, 32]],
];
for (const [atLeast, [width, height]] of cases) {
  Deno.test(`decodeJpeg(atLeast ${JSON.stringify(atLeast)}) gives ${width}×${height}`, () => {
    const raster = decoders.decodeJpeg(jpeg, atLeast, { width: 48, height: 32 });
    assert.deepEqual([raster.width, raster.height], [width, height]);
    assert.equal(raster.data.length, width * height * raster.channels);
  });
}

Deno.test('decodeImage asks for JPEG_SCALE_MARGIN × the target size', async () => {
  const raster = await decodeImage(jpeg, decoders, { limits: DEFAULT_IMAGE_LIMITS, atLeast: { width: 6 / JPEG_SCALE_MARGIN, height: 8 / JPEG_SCALE_MARGIN } });
  assert.deepEqual([raster.width, raster.height], [12, 8]);
});
