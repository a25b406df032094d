import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { gradientJpeg, gradientPng, pngHeaderDeclaring } from '../fixtures/images.ts';

function rejects(bytes: Uint8Array, status: number, pattern: RegExp) {
  assert.throws(() => sniffImage(bytes), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, status);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test('sniff reads PNG and JPEG dimensions from the header', async () => {
  assert.deepEqual(sniffImage(await gradientPng(37, 21)), { format: 'png', width: 37, height: 21 });
  assert.deepEqual(sniffImage(await gradientJpeg(40, 17)), { format: 'jpeg', width: 40, height: 17 });
});

Deno.test('sniff reads the declared size of a bomb without decoding', () => {
  assert.deepEqual(sniffImage(pngHeaderDeclaring(20000, 20000)), { format: 'png', width: 20000, height: 20000 });
});

Deno.test('sniff names unsupported formats by magic bytes, not by name', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  rejects(Uint8Array.from([0, 0, 1, 0, 1, 0, 16, 16]), 415, /ICO/);
  rejects(enc('%PDF-1.7\n'), 415, /PDF/);
  rejects(enc('\x00\x00\x00\x18ftypheic'), 415, /HEIF/);
  rejects(enc('hello, world'), 415, /Not an image format this API reads; send one of PNG, JPEG/);
});

Deno.test('sniff reports empty and truncated headers as corrupt (422)', async () => {
  rejects(new Uint8Array(0), 422, /empty/);
  const png = await gradientPng();
  rejects(png.slice(0, 20), 422, /PNG header/);
  const jpeg = await gradientJpeg();
  rejects(jpeg.slice(0, 6), 422, /JPEG/);
  rejects(pngHeaderDeclaring(0, 10), 422, /zero/);
});
