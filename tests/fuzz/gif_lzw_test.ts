/**
 * A GIF whose LZW codes link omggif's code table into a cycle: omggif 1.0.10 chased it forever, synchronously, so
 * one 40-byte upload hung the isolate (found by the mutation fuzzer, docs/reliability.md). Now a 422. So is a
 * frame whose codes stop short of its pixels (or run past them), which omggif decoded with the rest black after
 * printing a warning into the server's log.
 */
import assert from 'node:assert/strict';
import { GifReader } from 'omggif';
import { lzwCodesValid } from '../../src/image/formats/gif-lzw.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { encodeGif } from '../fixtures/encoders.ts';

/** A 4×4 GIF (4-colour global palette) whose one frame holds `lzw` (minimum code size 2) as one sub-block. */
function gifWith(lzw: number[]): Uint8Array {
  return Uint8Array.from([
    ...new TextEncoder().encode('GIF89a'),
    4,
    0,
    4,
    0,
    0x81,
    0,
    0, // screen 4×4, global palette of 4
    ...[0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255],
    0x2c,
    0,
    0,
    0,
    0,
    4,
    0,
    4,
    0,
    0, // image descriptor: 4×4 at 0,0
    2,
    lzw.length,
    ...lzw,
    0, // minimum code size, one sub-block, terminator
    0x3b,
  ]);
}

// Codes (3 bits, then 4 once the table reaches 8): clear 4, literal 0, 7 (not yet defined: omggif stores entry 6
// = 0 and remembers 7), literal 1 (entry 7 = 7: points at itself), 7 (chases 7 → 7 → …), end 5. Packed LSB first.
const CYCLE = gifWith([0xc4, 0x73, 0x05]);
// Codes that only name defined entries but stop after 4 of the frame's 16 pixels: clear, 0, 1, 6 (= 0 1), end.
const SHORT = gifWith([0x44, 0x5c]);

Deno.test('the LZW check refuses undefined entries and frames without exactly their pixels, accepts encoder output', () => {
  for (const [bytes, valid] of [[CYCLE, false], [SHORT, false]] as const) {
    const frame = new GifReader(bytes).frameInfo(0);
    assert.equal(lzwCodesValid(bytes, frame.data_offset, frame.width * frame.height), valid);
  }
  const gray = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 7) % 256) };
  const encoded = encodeGif(gray);
  const frame = new GifReader(encoded).frameInfo(0);
  assert.ok(lzwCodesValid(encoded, frame.data_offset, frame.width * frame.height));
});

Deno.test('a GIF whose LZW codes would cycle gets 422 instead of hanging the isolate', async () => {
  const predictor = tinyPredictor();
  await predictor;
  const { app } = testApp(predictor);
  const form = new FormData();
  form.append('image', new Blob([CYCLE as Uint8Array<ArrayBuffer>], { type: 'image/gif' }), 'x.gif');
  const res = await app.request('/predict', { method: 'POST', body: form });
  assert.equal(res.status, 422);
  assert.equal((await res.json()).error.code, 'corrupt_image');
});

Deno.test('a GIF frame that stops short gets 422 and omggif prints nothing into the log', async () => {
  const predictor = tinyPredictor();
  await predictor;
  const { app } = testApp(predictor);
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args);
  try {
    const form = new FormData();
    form.append('image', new Blob([SHORT as Uint8Array<ArrayBuffer>], { type: 'image/gif' }), 'x.gif');
    const res = await app.request('/predict', { method: 'POST', body: form });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).error.code, 'corrupt_image');
  } finally {
    console.log = log;
  }
  // testApp's access log is its own function, not console.log: anything printed here came from the decoder.
  assert.deepEqual(printed, []);
});
