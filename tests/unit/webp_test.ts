/** WebP: lossless exact, lossy close, sizes from VP8/VP8L/VP8X headers, EXIF orientation, refusals (413/415/422). */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { encodeWebp, type Gray, withWebpOrientation } from '../fixtures/encoders.ts';

const decoders = await loadDenoDecoders();
const limits = DEFAULT_IMAGE_LIMITS;
const gray: Gray = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 5 + (i >> 4)) % 256) };
const lossless = await encodeWebp(gray, true);
const lossy = await encodeWebp(gray, false);
const redOf = (r: { data: Uint8Array; channels: number }) => Array.from({ length: r.data.length / r.channels }, (_, i) => r.data[i * r.channels]);

async function rejects(bytes: Uint8Array, status: number, pattern: RegExp, using = decoders) {
  await assert.rejects(() => decodeImage(bytes, using, { limits }), (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test('WebP lossless (VP8L) decodes to the exact pixels, lossy (VP8) to nearly them', async () => {
  assert.equal(new TextDecoder().decode(lossless.subarray(12, 16)), 'VP8L');
  assert.equal(new TextDecoder().decode(lossy.subarray(12, 16)), 'VP8 ');
  for (const bytes of [lossless, lossy]) assert.deepEqual(sniffImage(bytes), { format: 'webp', width: 37, height: 23 });
  assert.deepEqual(redOf(await decodeImage(lossless, decoders, { limits })), Array.from(gray.data));
  const near = redOf(await decodeImage(lossy, decoders, { limits }));
  const meanError = near.reduce((sum, v, i) => sum + Math.abs(v - gray.data[i]), 0) / near.length;
  assert.ok(meanError < 12, `lossy mean error ${meanError}`);
});

Deno.test('WebP VP8X with an EXIF orientation: size from the canvas, turned upright', async () => {
  const rotated = withWebpOrientation(lossless, 37, 23, 6);
  assert.deepEqual(sniffImage(rotated), { format: 'webp', width: 37, height: 23, orientation: 6 });
  const r = await decodeImage(rotated, decoders, { limits });
  assert.deepEqual([r.width, r.height], [23, 37]);
  // Orientation 6 turns the stored picture 90° clockwise: the upright top row is the stored left column, bottom up.
  assert.deepEqual(redOf(r).slice(0, 23), Array.from({ length: 23 }, (_, x) => gray.data[(22 - x) * 37]));
});

Deno.test('WebP refusals: animation 415, bombs 413, lying and truncated headers 422, no codec 415', async () => {
  const animated = withWebpOrientation(lossless, 37, 23, 1);
  animated[20] |= 0x02; // VP8X animation flag
  await rejects(animated, 415, /Animated WebP/);
  const bomb = withWebpOrientation(lossless, 30_000, 30_000, 1);
  await rejects(bomb, 413, /30000×30000/);
  const lying = withWebpOrientation(lossless, 40, 23, 1);
  await rejects(lying, 422, /WEBP data is corrupt|does not match its header/); // libwebp checks the canvas itself
  await rejects(lossless.subarray(0, 25), 422, /WebP header is truncated/);
  await rejects(lossy.subarray(0, lossy.length - 30), 422, /WEBP/);
  const { decodeWebp: _, ...withoutWebp } = decoders;
  await rejects(lossless, 415, /WebP is not available on this server/, withoutWebp);
});
