/**
 * Every PNG row filter is undone exactly for every layout the fast reader takes: rows of noise (which reach every
 * branch of the Paeth predictor) are filtered here by the spec's definitions (PNG §9), in runs of equal and mixed
 * filter types, and must come back byte for byte.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { readCommonPng } from '../../src/image/png-reader.ts';
import { streamInflate } from '../../src/image/stream-inflate.ts';
import { pngChunk } from '../fixtures/png-chunks.ts';

/** PNG §9.4's Paeth predictor, written as the spec states it (branches, not the reader's branch-free form). */
function specPaeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Filters raw rows (`bpp` bytes per pixel) with the given filter type per row, as an encoder would. */
function filterRows(raw: Uint8Array, stride: number, bpp: number, filters: number[]): Uint8Array {
  const height = raw.length / stride;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const type = filters[y];
    out[y * (stride + 1)] = type;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * stride + i];
      const a = i >= bpp ? raw[y * stride + i - bpp] : 0;
      const b = y > 0 ? raw[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? raw[(y - 1) * stride + i - bpp] : 0;
      const predicted = [0, a, b, (a + b) >> 1, specPaeth(a, b, c)][type];
      out[y * (stride + 1) + 1 + i] = (x - predicted) & 255;
    }
  }
  return out;
}

function png(width: number, height: number, colourType: number, depth: number, filtered: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([depth, colourType, 0, 0, 0], 8);
  return new Uint8Array([
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', new Uint8Array(deflateSync(filtered))),
    ...pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic noise, with flat stretches so that ties between predictors occur too. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s >>> 16) % 7 === 0 ? out[Math.max(0, i - 1)] : s >>> 24;
  }
  return out;
}

const WIDTH = 37, HEIGHT = 24;
// Runs of one filter (the gray reader pairs consecutive Paeth rows) and mixed orders.
const FILTERS = [4, 4, 4, 1, 4, 2, 4, 4, 3, 0, 4, 1, 1, 2, 2, 3, 3, 0, 4, 4, 4, 4, 2, 4];

for (const [name, colourType, channels] of [['gray', 0, 1], ['RGB', 2, 3], ['RGBA', 6, 4]] as const) {
  Deno.test(`8-bit ${name}: rows of every filter type, alone and in runs, unfilter to the exact bytes`, async () => {
    const raw = noise(WIDTH * HEIGHT * channels, channels);
    const stride = WIDTH * channels;
    const raster = await readCommonPng(png(WIDTH, HEIGHT, colourType, 8, filterRows(raw, stride, channels, FILTERS)), streamInflate);
    assert.ok(raster);
    assert.equal(raster.channels, channels);
    assert.deepEqual(raster.data, raw);
  });

  Deno.test(`16-bit ${name}: every filter type over two bytes per sample, then rounded to 8 bits`, async () => {
    const raw = noise(WIDTH * HEIGHT * channels * 2, 10 + channels);
    const stride = WIDTH * channels * 2;
    const raster = await readCommonPng(png(WIDTH, HEIGHT, colourType, 16, filterRows(raw, stride, channels * 2, FILTERS)), streamInflate);
    assert.ok(raster);
    const expected = Uint8Array.from({ length: raw.length / 2 }, (_, i) => Math.round(((raw[2 * i] << 8) | raw[2 * i + 1]) * 255 / 65535));
    assert.deepEqual(raster.data, expected);
  });
}
