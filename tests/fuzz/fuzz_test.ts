/**
 * Hostile-input fuzzing (fast-check, seeded; set FUZZ_SEED to replay): ≥ 10,000 generated requests per run
 * through the app in-process. Every answer must be a 2xx/4xx JSON of the documented shape, in bounded time.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { readData, hasData } from '../fixtures/data.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng } from '../fixtures/images.ts';

const SEED = Number(Deno.env.get('FUZZ_SEED') ?? 20261127);
const RUNS = Number(Deno.env.get('FUZZ_RUNS') ?? 10_000);
console.log(`fuzz seed ${SEED}, ${RUNS} requests`);

const predictor = tinyPredictor();
await predictor;
const { app } = testApp(predictor, { maxBodyBytes: 2_000_000, maxImagesPerRequest: 4, maxPixels: 4_000_000 });

const seeds: Uint8Array[] = [await gradientPng(40, 30), await gradientJpeg(40, 30), await gradientPng(7, 120), await gradientJpeg(90, 9, 50)];
if (hasData()) seeds.push(readData('busi/benign/benign (3).png').slice(), readData('breast-lesions-usg/benign/case001.png').slice());
const ALLOWED = new Set([200, 400, 408, 413, 415, 422]);
let count = 0;

async function check(init: RequestInit & { body?: BodyInit }, path = '/predict'): Promise<void> {
  count++;
  const started = performance.now();
  const res = await app.request(path, { method: 'POST', ...init });
  const text = await res.text();
  const ms = performance.now() - started;
  assert.ok(ALLOWED.has(res.status), `status ${res.status}: ${text.slice(0, 200)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text);
  if (res.status >= 400) {
    assert.equal(typeof body.error?.code, 'string');
    assert.equal(typeof body.error?.message, 'string');
    assert.ok(!text.includes('    at '), 'no stack trace');
  } else if (body.results) {
    for (const r of body.results) assert.ok(typeof r.probability === 'number' || typeof r.error?.code === 'string');
  } else assert.ok(body.probability >= 0 && body.probability <= 1);
  assert.ok(ms < 5_000, `took ${ms} ms`);
}

const form = (parts: { name: string; bytes: Uint8Array; type?: string }[]) => {
  const f = new FormData();
  for (const p of parts) f.append(p.name, new Blob([p.bytes as Uint8Array<ArrayBuffer>], { type: p.type ?? 'application/octet-stream' }), 'x');
  return f;
};

// Mutations of valid images: truncation, bit flips, byte overwrites, header splices.
const mutated = fc.tuple(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.nat(3)), { minLength: 1, maxLength: 8 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true })))
  .map(([i, edits, cut]) => {
    const bytes = seeds[i].slice();
    for (const [at, value, kind] of edits) {
      const p = at % bytes.length;
      if (kind === 0) bytes[p] ^= 1 << (value % 8);
      else if (kind === 1) bytes[p] = value;
      else if (kind === 2) bytes.copyWithin(p, (p * 7) % bytes.length, ((p * 7) % bytes.length) + 16);
      else bytes[p % 64] = value; // header region
    }
    return cut === null ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
  });

Deno.test('mutated PNG/JPEG images never give a 5xx, a crash or a hang', async () => {
  await fc.assert(fc.asyncProperty(mutated, async (bytes) => check({ body: form([{ name: 'image', bytes }]) })), { seed: SEED, numRuns: Math.round(RUNS * 0.6) });
});

// Declared sizes up to 2^32 - 1: refused from the header, before any decoding.
Deno.test('huge declared dimensions are refused from the header', async () => {
  await fc.assert(fc.asyncProperty(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.boolean(), async (w, h, jpeg) => {
    let bytes: Uint8Array;
    if (jpeg) {
      bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, (h >> 8) & 255, h & 255, (w >> 8) & 255, w & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
    } else {
      bytes = seeds[0].slice();
      new DataView(bytes.buffer).setUint32(16, w);
      new DataView(bytes.buffer).setUint32(20, h);
    }
    await check({ body: form([{ name: 'image', bytes }]) });
  }), { seed: SEED + 1, numRuns: Math.round(RUNS * 0.1) });
});

// Arbitrary bodies, content types, boundaries, field names and part counts.
const junkRequest = fc.oneof(
  fc.record({ type: fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=x', 'text/plain', 'application/json', 'image/png', '', 'multipart/mixed; boundary=x'), body: fc.uint8Array({ maxLength: 3000 }) })
    .map(({ type, body }) => ({ headers: (type ? { 'content-type': type } : {}) as Record<string, string>, body: body as Uint8Array<ArrayBuffer> })),
  fc.tuple(fc.array(fc.tuple(fc.constantFrom('image', 'Image', 'file', 'img', ''), fc.nat(seeds.length - 1), fc.constantFrom('image/png', 'image/gif', 'text/html', '')), { maxLength: 7 }))
    .map(([parts]) => ({ headers: {} as Record<string, string>, body: form(parts.map(([name, i, type]) => ({ name, bytes: seeds[i], type }))) })),
  fc.tuple(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 2000 }))
    .map(([boundary, bytes]) => ({ headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: new Uint8Array([...new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\n`), ...bytes]) as Uint8Array<ArrayBuffer> })),
);

Deno.test('broken multipart, wrong fields, odd content types and many parts get clean 4xx', async () => {
  await fc.assert(fc.asyncProperty(junkRequest, async (req) => check(req)), { seed: SEED + 2, numRuns: Math.round(RUNS * 0.3) });
});

Deno.test('zero-byte and oversized bodies', async () => {
  await check({ body: form([{ name: 'image', bytes: new Uint8Array(0) }]) });
  await check({ body: form([{ name: 'image', bytes: new Uint8Array(3_000_000) }]) });
  await check({ body: new Uint8Array(0), headers: { 'content-type': 'multipart/form-data; boundary=z' } });
});

Deno.test('a real 20000×20000 PNG bomb is refused in milliseconds without decoding', async () => {
  // 20,000 rows of a filter byte and 20,000 zero pixels: 400 MB of pixels, a few hundred KB on disk.
  const raw = new Uint8Array(20_001 * 20_000);
  const idat = deflateSync(raw, { level: 9 });
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    return out; // CRC left zero: the header check comes first
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 20_000);
  new DataView(ihdr.buffer).setUint32(4, 20_000);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', ihdr), ...chunk('IDAT', idat), ...chunk('IEND', new Uint8Array(0))]);
  console.log(`bomb: ${png.length} bytes on the wire`);
  const started = performance.now();
  const res = await app.request('/predict', { method: 'POST', body: form([{ name: 'image', bytes: png }]) });
  const ms = performance.now() - started;
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'too_many_pixels');
  console.log(`bomb refused in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `refusal should not decode (${ms} ms)`);
});

Deno.test('fuzz request count reached', () => {
  console.log(`${count} fuzz requests answered`);
  assert.ok(count >= RUNS, `${count} < ${RUNS}`);
});
