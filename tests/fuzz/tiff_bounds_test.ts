/**
 * Hostile TIFF directories (the cause of the mutation fuzzer's memory growth, docs/reliability.md): a field that
 * declares millions of values, a next-IFD chain that loops, a sub-IFD pointing at its parent, strips that run
 * past the file, absurd bit depths. Each gets a clear answer without the process growing; memory is asserted
 * (from RSS, as the bomb tests do), time is only printed.
 */
import assert from 'node:assert/strict';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { encodeTiff, type Gray } from '../fixtures/encoders.ts';

const predictor = tinyPredictor();
await predictor; // answers before the model is up would be 503 not_ready
const { app } = testApp(predictor);
const gray: Gray = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 7) % 256) };

// encodeTiff's layout: IFD at 8, entries from 10 (12 bytes each: tag, type, count, value), next-IFD pointer after
// its 10 entries; entry 2 = BitsPerSample, 4 = PhotometricInterpretation, 6 = Orientation, 7 = SamplesPerPixel,
// 9 = StripByteCounts.
const ENTRY = (i: number) => 10 + i * 12;
const NEXT_IFD = ENTRY(10);

function edited(compression: 'none' | 'packbits' | 'deflate', edit: (view: DataView) => void): Uint8Array {
  const bytes = encodeTiff(gray, compression);
  edit(new DataView(bytes.buffer));
  return bytes;
}

async function post(bytes: Uint8Array): Promise<{ status: number; code?: string; grewMb: number; ms: number }> {
  const form = new FormData();
  form.append('image', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/tiff' }), 'x.tif');
  const rssBefore = Deno.memoryUsage().rss;
  const started = performance.now();
  const res = await app.request('/predict', { method: 'POST', body: form });
  const body = await res.json();
  const ms = performance.now() - started;
  return { status: res.status, code: body.error?.code, grewMb: (Deno.memoryUsage().rss - rssBefore) / 2 ** 20, ms };
}

const cases: [string, Uint8Array, number, string | undefined][] = [
  // utif2 pushed one array element per declared value: 20 M values are ~160 MB of JS array for a 1 KB upload.
  ['a field declaring 20,000,000 values', edited('none', (v) => v.setUint32(ENTRY(4) + 4, 20_000_000, true)), 422, 'corrupt_image'],
  ['a field whose values lie past the end of the file', edited('none', (v) => {
    v.setUint32(ENTRY(4) + 4, 100, true);
    v.setUint32(ENTRY(4) + 8, 1_000_000, true);
  }), 422, 'corrupt_image'],
  // utif2 followed the chain with no cycle check: this one looped forever, growing until the isolate died.
  ['a next-IFD pointer back to the first IFD', edited('none', (v) => v.setUint32(NEXT_IFD, 8, true)), 200, undefined],
  ['a SubIFDs tag pointing at its own directory', edited('none', (v) => {
    v.setUint16(ENTRY(6), 330, true); // Orientation → SubIFDs (type LONG, one value: offset 8)
    v.setUint16(ENTRY(6) + 2, 4, true);
    v.setUint32(ENTRY(6) + 8, 8, true);
  }), 200, undefined],
  // PackBits looped over the declared byte count even past the data: 4 G iterations of CPU.
  ['a strip byte count of 2³²−1', edited('packbits', (v) => v.setUint32(ENTRY(9) + 8, 0xffffffff, true)), 422, 'corrupt_image'],
  // utif2 allocates width × height × bits per pixel before decoding: 16 bits × 255 samples is 510 bytes a pixel.
  ['255 samples of 16 bits per pixel', edited('none', (v) => {
    v.setUint16(ENTRY(2) + 8, 16, true);
    v.setUint16(ENTRY(7) + 8, 255, true);
  }), 415, 'unsupported_media_type'],
];

// utif2 inflated each Deflate strip with pako in one call and no limit: ~200 KB on the wire became 200 MB.
const bomb: Gray = { width: gray.width, height: gray.height, data: new Uint8Array(200_000_000) };
cases.push(['a Deflate strip that inflates to 200 MB (a 37×23 header)', encodeTiff(bomb, 'deflate'), 422, 'corrupt_image']);

/** A 4×1 gray TIFF whose one strip holds these LZW codes (9 bits each, MSB first, as TIFF packs them). */
function lzwTiff(codes: number[]): Uint8Array {
  const plain = encodeTiff({ width: 4, height: 1, data: new Uint8Array(4) }, 'none');
  const strip = new Uint8Array(Math.ceil((codes.length * 9) / 8) + 2);
  codes.forEach((code, i) => {
    for (let b = 0; b < 9; b++) if (code & (1 << (8 - b))) strip[(i * 9 + b) >> 3] |= 0x80 >> ((i * 9 + b) & 7);
  });
  const out = new Uint8Array(plain.length - 4 + strip.length);
  out.set(plain.subarray(0, plain.length - 4));
  out.set(strip, plain.length - 4);
  const view = new DataView(out.buffer);
  view.setUint16(ENTRY(3) + 8, 5, true); // Compression = LZW
  view.setUint32(ENTRY(9) + 8, strip.length, true);
  return out;
}
// utif2 keeps its LZW table across clear codes and follows links without checking: 259, 258, 259 after a clear
// make entries 258 and 259 point at each other, and its output loop chased them forever.
cases.push(['LZW codes that link the table into a cycle', lzwTiff([256, 259, 258, 259, 257]), 422, 'corrupt_image']);
cases.push(['well-formed LZW codes (clear, 0, 1, 258, end)', lzwTiff([256, 0, 1, 258, 257]), 200, undefined]);

for (const [name, bytes, status, code] of cases) {
  Deno.test(`TIFF with ${name}: ${status}${code ? ` ${code}` : ''}, memory flat`, async () => {
    const answer = await post(bytes);
    console.log(`${name}: ${answer.status} in ${answer.ms.toFixed(1)} ms, RSS +${Math.max(0, answer.grewMb).toFixed(0)} MB`);
    assert.equal(answer.status, status, String(answer.code));
    assert.equal(answer.code, code);
    assert.ok(answer.grewMb < 64, `RSS grew ${answer.grewMb.toFixed(0)} MB`);
  });
}

Deno.test('an ordinary TIFF still decodes after the hostile ones (nothing left behind)', async () => {
  const answer = await post(encodeTiff(gray, 'deflate'));
  assert.equal(answer.status, 200);
});
