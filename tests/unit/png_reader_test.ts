/** The fast PNG reader decodes the common layouts to the wasm codec's pixels and declines everything else. */
import assert from 'node:assert/strict';
import { createDecoders } from '../../src/image/codecs.ts';
import { readCommonPng } from '../../src/image/png-reader.ts';
import { nativeInflate } from '../../src/runtime/native-inflate.ts';
import { CODEC_URLS } from '../../src/runtime/wasm-paths.ts';

const fixture = (name: string) => Deno.readFileSync(new URL(`../fixtures/colour/${name}`, import.meta.url));
const wasm = createDecoders({
  png: new WebAssembly.Module(Deno.readFileSync(CODEC_URLS.png)),
  jpeg: new WebAssembly.Module(Deno.readFileSync(CODEC_URLS.jpeg)),
});

for (const [name, channels] of [['gray8.png', 1], ['rgb8.png', 3], ['rgba8.png', 4]] as const) {
  Deno.test(`${name} is read with ${channels} channel(s) and the wasm codec's pixels`, () => {
    const bytes = fixture(name);
    const fast = readCommonPng(bytes, nativeInflate);
    assert.ok(fast);
    assert.equal(fast.channels, channels);
    const reference = wasm.decodePng(bytes); // always RGBA
    assert.deepEqual([fast.width, fast.height], [reference.width, reference.height]);
    for (let p = 0; p < fast.width * fast.height; p++) {
      for (let c = 0; c < 4; c++) {
        const value: number = c === 3 ? (channels === 4 ? fast.data[p * 4 + 3] : 255) : fast.data[p * channels + (channels === 1 ? 0 : c)];
        assert.equal(value, reference.data[p * 4 + c], `pixel ${p} channel ${c}`);
      }
    }
  });
}

for (const name of ['palette.png', 'palette-trns.png', 'interlaced.png', 'gray16.png', 'rgb16.png', 'graya8.png']) {
  Deno.test(`${name} is left to the wasm codec`, () => {
    assert.equal(readCommonPng(fixture(name), nativeInflate), null);
  });
}

Deno.test('truncated or corrupted data is left to the wasm codec (which reports the error)', () => {
  const bytes = fixture('gray8.png');
  assert.equal(readCommonPng(bytes.subarray(0, bytes.length - 20), nativeInflate), null);
  const corrupt = bytes.slice();
  // Flip bytes inside the first IDAT body (after the 8-byte signature and 25-byte IHDR chunk).
  const idat = new TextDecoder().decode(corrupt).indexOf('IDAT') + 4;
  for (let i = idat + 2; i < idat + 12 && i < corrupt.length - 12; i++) corrupt[i] ^= 0xa5;
  assert.equal(readCommonPng(corrupt, nativeInflate), null);
  assert.equal(readCommonPng(new Uint8Array([137, 80, 78, 71]), nativeInflate), null);
});
