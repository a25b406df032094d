/** BMP/TIFF/GIF decoders: exact pixels for lossless encodings, bombs refused from the header, broken files 4xx. */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { encodeBmp, encodeGif, encodeTiff, type Gray } from '../fixtures/encoders.ts';

const decoders = await loadDenoDecoders();
const gray: Gray = { width: 13, height: 5, data: Uint8Array.from({ length: 65 }, (_, i) => (i * 37) % 256) };
const levels = (bits: number) => (1 << bits) - 1;
const quantised = (bits: number) => Array.from(gray.data, (v) => Math.round((Math.round((v * levels(bits)) / 255) * 255) / levels(bits)));

/** The red channel of a decoded raster (every test picture is gray). */
async function decodedGray(bytes: Uint8Array): Promise<number[]> {
  const r = await decodeImage(bytes, decoders, { limits: DEFAULT_IMAGE_LIMITS });
  assert.deepEqual([r.width, r.height], [gray.width, gray.height]);
  return Array.from({ length: r.width * r.height }, (_, i) => r.data[i * r.channels]);
}

const exact: [string, Uint8Array, number[]][] = [
  ['BMP 1-bit', encodeBmp(gray, 1), quantised(1)],
  ['BMP 4-bit', encodeBmp(gray, 4), quantised(4)],
  ['BMP 8-bit', encodeBmp(gray, 8), Array.from(gray.data)],
  ['BMP 8-bit top-down', encodeBmp(gray, 8, true), Array.from(gray.data)],
  ['BMP 24-bit', encodeBmp(gray, 24), Array.from(gray.data)],
  ['BMP 32-bit top-down', encodeBmp(gray, 32, true), Array.from(gray.data)],
  ['TIFF none', encodeTiff(gray, 'none'), Array.from(gray.data)],
  ['TIFF PackBits', encodeTiff(gray, 'packbits'), Array.from(gray.data)],
  ['TIFF Deflate', encodeTiff(gray, 'deflate'), Array.from(gray.data)],
  ['GIF', encodeGif(gray), Array.from(gray.data)],
];
for (const [name, bytes, expected] of exact) {
  Deno.test(`${name} decodes to the exact pixels`, async () => {
    assert.deepEqual(await decodedGray(bytes), expected);
  });
}

Deno.test('a TIFF orientation tag is read and applied (reported size is upright)', async () => {
  const header = sniffImage(encodeTiff(gray, 'none', 6));
  assert.equal(header.orientation, 6);
  const r = await decodeImage(encodeTiff(gray, 'none', 6), decoders, { limits: DEFAULT_IMAGE_LIMITS });
  assert.deepEqual([r.width, r.height], [gray.height, gray.width]);
});

async function rejects(bytes: Uint8Array, status: number, pattern: RegExp) {
  await assert.rejects(() => decodeImage(bytes, decoders, { limits: DEFAULT_IMAGE_LIMITS }), (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test('headers declaring huge images are refused (413) before any decoding', async () => {
  const bmp = encodeBmp(gray, 8);
  new DataView(bmp.buffer).setInt32(18, 100_000, true);
  await rejects(bmp, 413, /limit/);
  const tiff = encodeTiff(gray, 'deflate');
  new DataView(tiff.buffer).setUint32(18, 100_000, true); // ImageWidth's value
  await rejects(tiff, 413, /limit/);
});

Deno.test('truncated and unsupported variants get 422 / 415 with a message naming the problem', async () => {
  await rejects(encodeBmp(gray, 24).slice(0, 80), 422, /BMP/);
  await rejects(encodeTiff(gray, 'none').slice(0, 20), 422, /TIFF/);
  await rejects(encodeGif(gray).slice(0, 30), 422, /GIF/);
  const rle = encodeBmp(gray, 8);
  new DataView(rle.buffer).setUint32(30, 1, true); // BI_RLE8
  await rejects(rle, 415, /RLE/);
  const jpegTiff = encodeTiff(gray, 'none');
  new DataView(jpegTiff.buffer).setUint16(10 + 3 * 12 + 8, 7, true); // Compression = JPEG
  await rejects(jpegTiff, 415, /compression 7/);
});
