/**
 * Hostile-input fuzzing (fast-check, seeded; set FUZZ_SEED to replay): ≥ 10,000 generated requests per run
 * through the app in-process. Every answer must be a 2xx/4xx JSON of the documented shape, and never hang.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { hasData, readData } from '../fixtures/data.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng } from '../fixtures/images.ts';
import { pngChunk } from '../fixtures/png-chunks.ts';
import { mutatedFrom } from '../fixtures/mutations.ts';
import { encodeBmp, encodeGif, encodeTiff, encodeWebp, type Gray, withWebpOrientation } from '../fixtures/encoders.ts';
import { withExifOrientation } from '../fixtures/exif.ts';
import { encodeDicom, pixelModule, ultrasoundRegions } from '../fixtures/dicom.ts';

const SEED = Number(Deno.env.get('FUZZ_SEED') ?? 20261127);
const RUNS = Number(Deno.env.get('FUZZ_RUNS') ?? 10_000);
console.log(`fuzz seed ${SEED}, ${RUNS} requests`);

const predictor = tinyPredictor();
await predictor;
const { app } = testApp(predictor, { maxBodyBytes: 2_000_000, maxImagesPerRequest: 4, maxPixels: 4_000_000 });

const seeds: Uint8Array[] = [
  await gradientPng(40, 30),
  await gradientJpeg(40, 30),
  await gradientPng(7, 120),
  await gradientJpeg(90, 9, 50),
];
if (hasData()) {
  seeds.push(
    readData('busi/benign/benign (3).png').slice(),
    readData('breast-lesions-usg/benign/case001.png').slice(),
  );
}
// Every PNG colour type/bit depth and JPEG flavour (palette, 16-bit, interlaced, progressive, CMYK): each
// takes a different path through the codecs.
const COLOUR_DIR = new URL('../fixtures/colour/', import.meta.url);
for (const entry of [...Deno.readDirSync(COLOUR_DIR)].sort((a, b) => a.name.localeCompare(b.name))) {
  if (/\.(png|jpg)$/.test(entry.name)) seeds.push(Deno.readFileSync(new URL(entry.name, COLOUR_DIR)));
}
// Every other accepted format (BMP bit depths and row orders, TIFF compressions, GIF, EXIF JPEG), plus headers
// that lie about their size: the fuzzer truncates and flips bits in all of them.
const smallGray: Gray = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 7) % 256) };
const lying = (bytes: Uint8Array, at: number, value: number, little = true) => {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, little);
  return copy;
};
seeds.push(
  encodeBmp(smallGray, 1), encodeBmp(smallGray, 4), encodeBmp(smallGray, 8), encodeBmp(smallGray, 24, true), encodeBmp(smallGray, 32),
  encodeTiff(smallGray, 'none'), encodeTiff(smallGray, 'packbits', 6), encodeTiff(smallGray, 'deflate'),
  encodeGif(smallGray),
  withExifOrientation(await gradientJpeg(40, 30), 6, true),
  lying(encodeBmp(smallGray, 8), 18, 60_000), // BMP width far beyond its data
  lying(encodeBmp(smallGray, 24), 22, 0x7fffffff), // BMP height: a bomb's header
  lying(encodeTiff(smallGray, 'deflate'), 18, 50_000), // TIFF ImageWidth far beyond its strip
);
// DICOM: each container, VR encoding, photometric, bit depth, JPEG Baseline (cine with and without an offset
// table), ultrasound regions, and headers that lie (frames, rows, columns beyond the data).
const { width: dw, height: dh, data: dg } = smallGray;
const dicomJpeg = await gradientJpeg(dw, dh);
const ybr = { samples: 3, photometric: 'YBR_FULL_422' };
const dicomSeeds = [
  encodeDicom(pixelModule(dw, dh), dg),
  encodeDicom(pixelModule(dw, dh, { photometric: 'MONOCHROME1' }), dg, { syntax: 'implicit', container: 'no-preamble' }),
  encodeDicom(pixelModule(dw, dh), dg, { syntax: 'implicit', container: 'bare' }),
  encodeDicom([...pixelModule(dw, dh, { bits: 16, stored: 12, signed: true }), { tag: [0x0028, 0x1050], vr: 'DS', value: '40' }, { tag: [0x0028, 0x1051], vr: 'DS', value: '400' }], Uint8Array.from([...dg, ...dg])),
  encodeDicom(pixelModule(dw, dh, { samples: 3, planar: 1 }), Uint8Array.from([...dg, ...dg, ...dg])),
  encodeDicom([...pixelModule(dw, dh, { frames: 2 }), ultrasoundRegions([[1, 1, 3, 2, 30, 20], [2, 1, 0, 0, 36, 22]])], Uint8Array.from([...dg, ...dg])),
  encodeDicom(pixelModule(dw, dh, ybr), { frames: [dicomJpeg] }),
  encodeDicom(pixelModule(dw, dh, { ...ybr, frames: 2 }), { frames: [dicomJpeg, dicomJpeg], offsetTable: false }),
  encodeDicom(pixelModule(dw, dh, { frames: 500 }), dg), // more frames than data
  encodeDicom(pixelModule(60_000, 60_000, ybr), { frames: [dicomJpeg] }), // a bomb's Rows × Columns over a small JPEG
  encodeDicom(pixelModule(dw, dh), dg, { syntax: '1.2.840.10008.1.2.4.91' }), // refused transfer syntax
];
// WebP: lossless, lossy, extended with EXIF, and a canvas that lies about its size.
const webpSeeds = [
  await encodeWebp(smallGray, true),
  await encodeWebp(smallGray, false),
  withWebpOrientation(await encodeWebp(smallGray, true), dw, dh, 6),
  withWebpOrientation(await encodeWebp(smallGray, false), 16_000, 16_000, 1),
];
seeds.push(...dicomSeeds, ...webpSeeds);
const ALLOWED = new Set([200, 400, 408, 413, 415, 422]);
let count = 0;
const statusCounts = new Map<string, number>();

async function check(init: RequestInit & { body?: BodyInit }, path = '/predict'): Promise<void> {
  count++;
  // A hang fails the run instead of stalling it: each request gets a hard bound, generous enough for a busy machine.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((
    _,
    reject,
  ) => (timer = setTimeout(() => reject(new Error('request hung (> 60 s)')), 60_000)));
  const answer = (async () => {
    const res = await app.request(path, { method: 'POST', ...init });
    return { res, text: await res.text() };
  })();
  const { res, text } = await Promise.race([answer, bound]).finally(() => clearTimeout(timer));
  assert.ok(ALLOWED.has(res.status), `status ${res.status}: ${text.slice(0, 200)}`);
  const code = res.status === 200 ? '200' : `${res.status} ${JSON.parse(text).error?.code}`;
  statusCounts.set(code, (statusCounts.get(code) ?? 0) + 1);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text);
  if (res.status >= 400) {
    assert.equal(typeof body.error?.code, 'string');
    assert.equal(typeof body.error?.message, 'string');
    assert.ok(!text.includes('    at '), 'no stack trace');
  } else if (body.results) {
    for (const r of body.results) {
      assert.ok(typeof r.probability === 'number' || typeof r.error?.code === 'string');
    }
  } else assert.ok(body.probability >= 0 && body.probability <= 1);
}

const form = (parts: { name: string; bytes: Uint8Array; type?: string }[]) => {
  const f = new FormData();
  for (const p of parts) {
    f.append(
      p.name,
      new Blob([p.bytes as Uint8Array<ArrayBuffer>], { type: p.type ?? 'application/octet-stream' }),
      'x',
    );
  }
  return f;
};

// Mutations of valid images (tests/fixtures/mutations.ts): truncation, bit flips, byte overwrites, header splices.
const mutated = mutatedFrom(seeds);

Deno.test('mutated PNG/JPEG images never give a 5xx, a crash or a hang', async () => {
  await fc.assert(
    fc.asyncProperty(mutated, async (bytes) => check({ body: form([{ name: 'image', bytes }]) })),
    { seed: SEED, numRuns: Math.round(RUNS * 0.5) },
  );
});

// The DICOM and WebP seeds alone as well: among all the seeds they would get few of the mutations above.
Deno.test('mutated DICOM and WebP files (truncated, bit-flipped, lying headers) never give a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedFrom([...dicomSeeds, ...webpSeeds]), fc.constantFrom('', '?frame=2'), async (bytes, query) =>
      check({ body: form([{ name: 'image', bytes }]) }, `/predict${query}`)),
    { seed: SEED + 4, numRuns: Math.round(RUNS * 0.1) },
  );
});

// Well-formed PNG containers (valid CRCs and zlib) around random scanlines: every colour type and bit depth,
// random and invalid filter bytes, palettes of any size, interlacing, and data a little short or long.
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const structuredPng = fc.record({
  width: fc.integer({ min: 1, max: 48 }),
  height: fc.integer({ min: 1, max: 48 }),
  colourType: fc.constantFrom(0, 2, 3, 4, 6),
  depthPick: fc.nat(4),
  interlace: fc.constantFrom(0, 0, 0, 1),
  paletteEntries: fc.integer({ min: 0, max: 300 }),
  lengthDelta: fc.constantFrom(0, 0, 0, -1, 1, -7, 100),
  noise: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  filters: fc.uint8Array({ minLength: 8, maxLength: 8 }),
}).map(({ width, height, colourType, depthPick, interlace, paletteEntries, lengthDelta, noise, filters }) => {
  const depth = DEPTHS[colourType][depthPick % DEPTHS[colourType].length];
  const stride = Math.ceil((width * CHANNELS[colourType] * depth) / 8);
  const raw = new Uint8Array(Math.max(0, height * (stride + 1) + lengthDelta));
  for (let i = 0; i < raw.length; i++) raw[i] = noise[(i * 31 + (i >> 6)) % noise.length] ^ (i & 255);
  for (let y = 0; y < height && y * (stride + 1) < raw.length; y++) {
    raw[y * (stride + 1)] = filters[0] === 255 ? 5 : filters[y % filters.length] % 5; // 5 is no filter type
  }
  const palette = colourType === 3 || paletteEntries % 7 === 0
    ? Uint8Array.from({ length: paletteEntries * 3 }, (_, i) => (i * 53) & 255)
    : undefined;
  return pngFile(width, height, colourType, raw, { depth, interlace, palette });
});

Deno.test('well-formed PNG containers with hostile scanlines never give a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(structuredPng, async (bytes) => check({ body: form([{ name: 'image', bytes }]) })),
    { seed: SEED + 3, numRuns: Math.round(RUNS * 0.1) },
  );
});

// Declared sizes up to 2^32 - 1: refused from the header, before any decoding.
Deno.test('huge declared dimensions are refused from the header', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.boolean(), async (w, h, jpeg) => {
      let bytes: Uint8Array;
      if (jpeg) {
        bytes = new Uint8Array([
          0xff,
          0xd8,
          0xff,
          0xc0,
          0,
          17,
          8,
          (h >> 8) & 255,
          h & 255,
          (w >> 8) & 255,
          w & 255,
          3,
          1,
          0x11,
          0,
          2,
          0x11,
          1,
          3,
          0x11,
          1,
          0xff,
          0xd9,
        ]);
      } else {
        bytes = seeds[0].slice();
        new DataView(bytes.buffer).setUint32(16, w);
        new DataView(bytes.buffer).setUint32(20, h);
      }
      await check({ body: form([{ name: 'image', bytes }]) });
    }),
    { seed: SEED + 1, numRuns: Math.round(RUNS * 0.1) },
  );
});

// Arbitrary bodies, content types, boundaries, field names and part counts.
const junkRequest = fc.oneof(
  fc.record({
    type: fc.constantFrom(
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=x',
      'text/plain',
      'application/json',
      'image/png',
      '',
      'multipart/mixed; boundary=x',
    ),
    body: fc.uint8Array({ maxLength: 3000 }),
  })
    .map(({ type, body }) => ({
      headers: (type ? { 'content-type': type } : {}) as Record<string, string>,
      body: body as Uint8Array<ArrayBuffer>,
    })),
  fc.tuple(
    fc.array(
      fc.tuple(
        fc.constantFrom('image', 'Image', 'file', 'img', ''),
        fc.nat(seeds.length - 1),
        fc.constantFrom('image/png', 'image/gif', 'text/html', ''),
      ),
      { maxLength: 7 },
    ),
  )
    .map(([parts]) => ({
      headers: {} as Record<string, string>,
      body: form(parts.map(([name, i, type]) => ({ name, bytes: seeds[i], type }))),
    })),
  fc.tuple(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 2000 }))
    .map(([boundary, bytes]) => ({
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: new Uint8Array([
        ...new TextEncoder().encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\n`,
        ),
        ...bytes,
      ]) as Uint8Array<ArrayBuffer>,
    })),
);

Deno.test('broken multipart, wrong fields, odd content types and many parts get clean 4xx', async () => {
  await fc.assert(fc.asyncProperty(junkRequest, async (req) => check(req)), {
    seed: SEED + 2,
    numRuns: Math.round(RUNS * 0.3),
  });
});

Deno.test('thousands of parts are refused without predicting', async () => {
  const tiny = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  await check({ body: form(Array.from({ length: 2000 }, () => ({ name: 'image', bytes: tiny }))) });
  await check({ body: form(Array.from({ length: 2000 }, (_, i) => ({ name: `f${i}`, bytes: tiny }))) });
  const res = await app.request('/predict', {
    method: 'POST',
    body: form(Array.from({ length: 500 }, () => ({ name: 'image', bytes: seeds[0] }))),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'too_many_images');
});

Deno.test('zero-byte and oversized bodies', async () => {
  await check({ body: form([{ name: 'image', bytes: new Uint8Array(0) }]) });
  await check({ body: form([{ name: 'image', bytes: new Uint8Array(3_000_000) }]) });
  await check({ body: new Uint8Array(0), headers: { 'content-type': 'multipart/form-data; boundary=z' } });
});

/** A complete PNG (valid chunk CRCs and zlib stream) from already-filtered scanlines; 8-bit by default. */
function pngFile(
  width: number,
  height: number,
  colourType: number,
  scanlines: Uint8Array,
  { depth = 8, interlace = 0, palette }: { depth?: number; interlace?: number; palette?: Uint8Array } = {},
): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([depth, colourType, 0, 0, interlace], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(palette ? [pngChunk('PLTE', palette)] : []),
    pngChunk('IDAT', deflateSync(scanlines, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

Deno.test('a real 20000×20000 PNG bomb is refused from its header without decoding', async () => {
  // A valid PNG: 20,000 zero rows (filter byte + 20,000 gray pixels each): 400 MB of pixels, ~389 KB on disk.
  const png = pngFile(20_000, 20_000, 0, new Uint8Array(20_001 * 20_000));
  console.log(`bomb: ${png.length} bytes on the wire`);
  assert.ok(png.length > 350_000 && png.length < 420_000, `bomb is ${png.length} bytes`);
  const rssBefore = Deno.memoryUsage().rss;
  const started = performance.now();
  const res = await app.request('/predict', { method: 'POST', body: form([{ name: 'image', bytes: png }]) });
  const ms = performance.now() - started;
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'too_many_pixels');
  // Printed, not asserted (a busy machine is slow); memory is the proof: decoding needs 400 MB of gray pixels.
  const grewMb = (Deno.memoryUsage().rss - rssBefore) / 2 ** 20;
  console.log(`bomb refused in ${ms.toFixed(1)} ms, RSS +${Math.max(0, grewMb).toFixed(0)} MB`);
  assert.ok(grewMb < 100, `RSS grew ${grewMb.toFixed(0)} MB: the image was decoded`);
});

Deno.test('a small frame whose data inflates to 300 MB is refused without inflating it all', async () => {
  // The header says 100×100, within limits; the zlib stream behind it is 3,000× longer than the frame.
  for (const colourType of [0, 2, 6]) {
    const png = pngFile(100, 100, colourType, new Uint8Array(300_000_000));
    const rssBefore = Deno.memoryUsage().rss;
    const started = performance.now();
    const res = await app.request('/predict', {
      method: 'POST',
      body: form([{ name: 'image', bytes: png }]),
    });
    const ms = performance.now() - started;
    const body = await res.json();
    const grewMb = (Deno.memoryUsage().rss - rssBefore) / 2 ** 20;
    console.log(
      `inflate bomb (colour type ${colourType}, ${png.length} bytes): ${res.status} in ${
        ms.toFixed(1)
      } ms, RSS +${Math.max(0, grewMb).toFixed(0)} MB`,
    );
    assert.equal(res.status, 422);
    assert.equal(body.error.code, 'corrupt_image');
    assert.ok(grewMb < 100, `RSS grew ${grewMb.toFixed(0)} MB: the stream was inflated`);
  }
});

Deno.test('fuzz request count reached', () => {
  console.log(
    `${count} fuzz requests answered; by status: ${
      JSON.stringify(Object.fromEntries([...statusCounts].sort()))
    }`,
  );
  // The generators must reach deep: some mutated images still decode and get predictions, others fail in
  // the codec, the header check or the multipart parser.
  for (
    const code of [
      '200',
      '400 bad_request',
      '400 missing_image',
      '413 too_many_pixels',
      '415 unsupported_media_type',
      '422 corrupt_image',
    ]
  ) {
    assert.ok((statusCounts.get(code) ?? 0) > 0, `no "${code}" answer: the fuzzer does not reach that path`);
  }
  assert.ok(count >= RUNS, `${count} < ${RUNS}`);
  // Memory, not time: the V8 heap stays in the tens of MB over the whole run (docs/reliability.md, memory). A
  // hostile file's GB-sized allocation (utif2's unbounded TIFF fields did that) or ~50 KB kept per request ends
  // above this bound. RSS is only printed: the bomb tests above build arrays of hundreds of MB themselves.
  const { heapUsed, rss } = Deno.memoryUsage();
  console.log(`after ${count} requests: V8 heap ${(heapUsed / 2 ** 20).toFixed(0)} MB, RSS ${(rss / 2 ** 20).toFixed(0)} MB`);
  assert.ok(heapUsed < 512 * 2 ** 20, `V8 heap holds ${(heapUsed / 2 ** 20).toFixed(0)} MB after the run`);
});
