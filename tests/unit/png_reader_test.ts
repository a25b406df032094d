/**
 * The fast PNG reader decodes the common layouts to the wasm codec's pixels (16-bit ones rounded to 8 bits, where the
 * codec truncates) and declines everything else.
 */
import assert from 'node:assert/strict';
import { createDecoders } from '../../src/image/codecs.ts';
import { readCommonPng } from '../../src/image/png-reader.ts';
import { streamInflate } from '../../src/image/stream-inflate.ts';
import { pngChunk } from '../fixtures/png-chunks.ts';
import { CODEC_URLS } from '../../src/runtime/wasm-paths.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { deflateSync } from 'node:zlib';

const fixture = (name: string) => Deno.readFileSync(new URL(`../fixtures/colour/${name}`, import.meta.url));
const wasm = createDecoders({
  png: new WebAssembly.Module(Deno.readFileSync(CODEC_URLS.png)),
  jpeg: new WebAssembly.Module(Deno.readFileSync(CODEC_URLS.jpeg)),
});

for (const [name, channels] of [['gray8.png', 1], ['rgb8.png', 3], ['rgba8.png', 4]] as const) {
  Deno.test(`${name} is read with ${channels} channel(s) and the wasm codec's pixels`, async () => {
    const bytes = fixture(name);
    const fast = await readCommonPng(bytes, streamInflate);
    assert.ok(fast);
    assert.equal(fast.channels, channels);
    const reference = await wasm.decodePng(bytes); // always RGBA
    assert.deepEqual([fast.width, fast.height], [reference.width, reference.height]);
    for (let p = 0; p < fast.width * fast.height; p++) {
      for (let c = 0; c < 4; c++) {
        const value: number = c === 3 ? (channels === 4 ? fast.data[p * 4 + 3] : 255) : fast.data[p * channels + (channels === 1 ? 0 : c)];
        assert.equal(value, reference.data[p * 4 + c], `pixel ${p} channel ${c}`);
      }
    }
  });
}

for (const [name, channels] of [['gray16.png', 1], ['rgb16.png', 3], ['rgba16.png', 4]] as const) {
  Deno.test(`${name} is read with ${channels} channel(s), 16-bit samples rounded to 8 bits (the codec keeps the high byte)`, async () => {
    const bytes = fixture(name);
    const fast = await readCommonPng(bytes, streamInflate);
    assert.ok(fast);
    assert.equal(fast.channels, channels);
    const reference = await wasm.decodePng(bytes); // RGBA, high bytes
    let differ = 0;
    for (let p = 0; p < fast.width * fast.height; p++) {
      for (let c = 0; c < channels; c++) {
        const delta: number = fast.data[p * channels + c] - reference.data[p * 4 + (channels === 1 ? 0 : c)];
        assert.ok(delta === 0 || Math.abs(delta) === 1, `pixel ${p} channel ${c}: ${delta}`);
        if (delta) differ++;
      }
    }
    console.log(`${name}: ${differ} samples differ by one level from the truncating codec`);
  });
}

Deno.test('16-bit samples are rounded, not truncated: 0x00FF → 1, 0xFF00 → 254, 0x807F → 128, 0x8080 → 128', async () => {
  const samples = [0x0000, 0x00ff, 0x0080, 0x007f, 0xff00, 0x807f, 0x8080, 0xffff];
  const expected = samples.map((v) => Math.round((v * 255) / 65535));
  assert.deepEqual(expected, [0, 1, 0, 0, 254, 128, 128, 255]);
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, samples.length);
  new DataView(ihdr.buffer).setUint32(4, 1);
  ihdr.set([16, 0, 0, 0, 0], 8); // 16-bit gray
  const row = new Uint8Array(1 + samples.length * 2); // filter 0, then big-endian samples
  samples.forEach((v, i) => row.set([v >> 8, v & 255], 1 + i * 2));
  const png = new Uint8Array([
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', new Uint8Array(deflateSync(row))),
    ...pngChunk('IEND', new Uint8Array(0)),
  ]);
  const fast = await readCommonPng(png, streamInflate);
  assert.deepEqual(Array.from(fast!.data), expected);
  // Through the serving decoder too (the runtime's decoders use this reader for 16-bit gray).
  const served = await (await loadDenoDecoders()).decodePng(png);
  assert.deepEqual(Array.from(served.data), expected);
});

for (const name of ['palette.png', 'palette-trns.png', 'interlaced.png', 'graya8.png']) {
  Deno.test(`${name} is left to the wasm codec`, async () => {
    assert.equal(await readCommonPng(fixture(name), streamInflate), null);
  });
}

Deno.test('truncated or corrupted data is left to the wasm codec (which reports the error)', async () => {
  const bytes = fixture('gray8.png');
  assert.equal(await readCommonPng(bytes.subarray(0, bytes.length - 20), streamInflate), null);
  const corrupt = bytes.slice();
  // Flip bytes inside the first IDAT body (after the 8-byte signature and 25-byte IHDR chunk).
  const idat = new TextDecoder().decode(corrupt).indexOf('IDAT') + 4;
  for (let i = idat + 2; i < idat + 12 && i < corrupt.length - 12; i++) corrupt[i] ^= 0xa5;
  assert.equal(await readCommonPng(corrupt, streamInflate), null);
  assert.equal(await readCommonPng(new Uint8Array([137, 80, 78, 71]), streamInflate), null);
});

/** gray8.png's chunks: IHDR, one IDAT's data, and everything after it. */
function splitGray(): { ihdr: Uint8Array; zlib: Uint8Array } {
  const bytes = fixture('gray8.png');
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let ihdr = new Uint8Array(), zlib = new Uint8Array();
  for (let o = 8; o + 12 <= bytes.length; o += 12 + view.getUint32(o)) {
    const type = new TextDecoder().decode(bytes.subarray(o + 4, o + 8));
    const data = bytes.subarray(o + 8, o + 8 + view.getUint32(o));
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') zlib = new Uint8Array([...zlib, ...data]);
  }
  return { ihdr, zlib };
}
const pngOf = (ihdr: Uint8Array, idats: Uint8Array[]) =>
  new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, ...pngChunk('IHDR', ihdr), ...idats.flatMap((d) => [...pngChunk('IDAT', d)]), ...pngChunk('IEND', new Uint8Array())]);

Deno.test('the zlib stream split over many IDAT chunks (as encoders write it) reads the same pixels', async () => {
  const { ihdr, zlib } = splitGray();
  const whole = await readCommonPng(pngOf(ihdr, [zlib]), streamInflate);
  const cuts = [1, 2, 7, Math.floor(zlib.length / 2), zlib.length - 3];
  const parts = [0, ...cuts].map((c, i) => zlib.subarray(c, cuts[i] ?? zlib.length));
  const split = await readCommonPng(pngOf(ihdr, parts), streamInflate);
  assert.ok(whole && split);
  assert.deepEqual(split.data, whole.data);
});

Deno.test('a stream that inflates past the header\'s size, or has junk after its end, is refused', async () => {
  const { ihdr, zlib } = splitGray();
  // The same data under a header claiming one row fewer: the stream inflates past what that header allows.
  const shorter = ihdr.slice();
  new DataView(shorter.buffer).setUint32(4, new DataView(ihdr.buffer, ihdr.byteOffset).getUint32(4) - 1);
  assert.equal(await readCommonPng(pngOf(shorter, [zlib]), streamInflate), null);
  await assert.rejects(async () => await streamInflate([zlib], 10));
  assert.equal(await readCommonPng(pngOf(ihdr, [zlib, new Uint8Array([1, 2, 3])]), streamInflate), null);
});
