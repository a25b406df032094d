import assert from 'node:assert/strict';
import { OPENAPI } from '../../src/routes/openapi.ts';
import type { Predictor } from '../../src/predictor.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng, multipart, pngHeaderDeclaring } from '../fixtures/images.ts';

const predictor = tinyPredictor();
const { app, logs } = testApp(predictor, { maxImagesPerRequest: 3, maxBodyBytes: 200_000, maxPixels: 1_000_000 });
await predictor;

async function post(form: FormData | string, init: RequestInit = {}, query = '') {
  const res = await app.request(`/predict${query}`, { method: 'POST', body: form, ...init });
  return { res, body: await res.json() };
}

function assertError(body: { error?: { code?: unknown; message?: unknown } }, code: string) {
  assert.equal(body.error?.code, code);
  assert.equal(typeof body.error?.message, 'string');
  assert.ok(!String(body.error?.message).includes('    at '), 'no stack trace');
}

Deno.test('predict answers the original fields plus ours, with Server-Timing', async () => {
  const { res, body } = await post(multipart([{ name: 'image', bytes: await gradientPng() }]));
  assert.equal(res.status, 200);
  assert.match(body.prediction, /^(0|1)\.\d{2}$/);
  assert.equal(body.prediction, body.probability.toFixed(2));
  assert.ok(['Benign', 'Uncertain', 'Malignant'].includes(body.classification));
  assert.equal(typeof body.description, 'string');
  assert.ok(body.probability >= 0 && body.probability <= 1);
  assert.equal(body.threshold, 0.4);
  assert.equal(body.aboveThreshold, body.probability >= 0.4);
  assert.deepEqual(body.model, { name: 'tiny-test-model', version: '0.0.0-test' });
  assert.deepEqual(body.image, { format: 'png', width: 64, height: 48 });
  for (const stage of ['decode', 'preprocess', 'inference']) assert.equal(typeof body.timings[stage], 'number');
  const timing = res.headers.get('server-timing') ?? '';
  for (const stage of ['decode', 'preprocess', 'inference', 'total']) assert.match(timing, new RegExp(`${stage};dur=`));
  assert.equal(body.heatmap, undefined);
});

Deno.test('explain=true adds a heatmap mapped onto the original image', async () => {
  const { res, body } = await post(multipart([{ name: 'image', bytes: await gradientPng() }]), {}, '?explain=true');
  assert.equal(res.status, 200);
  const { rows, cols, values, cellWidth, cellHeight } = body.heatmap;
  assert.equal(values.length, rows * cols);
  assert.ok(values.every((v: number) => v >= 0 && v <= 1));
  assert.equal(cellWidth * cols, 64);
  assert.equal(cellHeight * rows, 48);
});

Deno.test('several images give one result each, in order, each with its own error', async () => {
  const form = multipart([
    { name: 'image', bytes: await gradientPng(30, 30) },
    { name: 'image', bytes: new TextEncoder().encode('%PDF-1.4 not an image') },
    { name: 'image', bytes: await gradientJpeg(50, 20) },
  ]);
  const { res, body } = await post(form);
  assert.equal(res.status, 200);
  assert.equal(body.results.length, 3);
  assert.deepEqual(body.results[0].image, { format: 'png', width: 30, height: 30 });
  assert.equal(body.results[1].status, 415);
  assertError(body.results[1], 'unsupported_media_type');
  assert.deepEqual(body.results[2].image, { format: 'jpeg', width: 50, height: 20 });
});

Deno.test('the same image gives the same probability alone and in a batch', async () => {
  const png = await gradientPng(80, 60);
  const alone = (await post(multipart([{ name: 'image', bytes: png }]))).body.probability;
  const batch = (await post(multipart([{ name: 'image', bytes: await gradientJpeg() }, { name: 'image', bytes: png }]))).body;
  assert.ok(Math.abs(batch.results[1].probability - alone) < 1e-6);
});

Deno.test('error statuses: 400, 405, 413, 415, 422', async () => {
  const png = await gradientPng();
  let r = await post('just text', { headers: { 'content-type': 'text/plain' } });
  assert.equal(r.res.status, 400);
  assertError(r.body, 'bad_request');

  r = await post(multipart([{ name: 'file', bytes: png }]));
  assert.equal(r.res.status, 400);
  assertError(r.body, 'missing_image');

  r = await post(multipart([{ name: 'image', text: 'not a file' }]));
  assert.equal(r.res.status, 400);
  assertError(r.body, 'missing_image');

  r = await post('--x\r\nbroken', { headers: { 'content-type': 'multipart/form-data; boundary=zzz' } });
  assert.equal(r.res.status, 400);
  assertError(r.body, 'bad_request');

  const res = await app.request('/predict', { method: 'GET' });
  assert.equal(res.status, 405);
  assert.match(res.headers.get('allow') ?? '', /POST/);
  assertError(await res.json(), 'method_not_allowed');

  r = await post(multipart([{ name: 'image', bytes: pngHeaderDeclaring(20000, 20000) }]));
  assert.equal(r.res.status, 413);
  assertError(r.body, 'too_many_pixels');

  r = await post(multipart([{ name: 'image', bytes: new Uint8Array(300_000) }]));
  assert.equal(r.res.status, 413);
  assertError(r.body, 'payload_too_large');

  r = await post(multipart(Array.from({ length: 4 }, () => ({ name: 'image', bytes: png }))));
  assert.equal(r.res.status, 413);
  assertError(r.body, 'too_many_images');

  r = await post(multipart([{ name: 'image', bytes: new TextEncoder().encode('\0\0\0\x18ftypheic'), filename: 'x.png', type: 'image/png' }]));
  assert.equal(r.res.status, 415);
  assertError(r.body, 'unsupported_media_type');

  r = await post(multipart([{ name: 'image', bytes: png.slice(0, png.length - 40) }]));
  assert.equal(r.res.status, 422);
  assertError(r.body, 'corrupt_image');

  const notFound = await app.request('/nope');
  assert.equal(notFound.status, 404);
  assertError(await notFound.json(), 'not_found');
});

Deno.test('/ready is 503 until the model is warm, then 200; /health answers throughout', async () => {
  let resolve!: (p: Predictor) => void;
  const { app: slow } = testApp(new Promise<Predictor>((r) => (resolve = r)));
  assert.equal((await slow.request('/health')).status, 200);
  const before = await slow.request('/ready');
  assert.equal(before.status, 503);
  assert.equal(before.headers.get('retry-after'), '1');
  const early = await slow.request('/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: await gradientPng() }]) });
  assert.equal(early.status, 503);
  assertError(await early.json(), 'not_ready');
  resolve(await predictor);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal((await slow.request('/ready')).status, 200);
});

Deno.test('/model serves the card with the input spec read from the model', async () => {
  const res = await app.request('/model');
  const card = await res.json();
  assert.equal(card.name, 'tiny-test-model');
  assert.deepEqual(card.serving.inputSpec, { height: 32, width: 32, channels: 1 });
  assert.equal(card.serving.tiers.length, 6);
});

Deno.test('the OpenAPI document lists exactly the routes the app serves', async () => {
  const doc = await (await app.request('/openapi.json')).json();
  assert.equal(doc.openapi, OPENAPI.openapi);
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const m of Object.keys(ops as object)) documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  }
  const served = new Set(
    app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => `${r.method} ${r.path}`),
  );
  assert.deepEqual([...served].sort(), [...documented].sort());
});

Deno.test('access logs carry request id, status and timing, never image data', () => {
  assert.ok(logs.length > 0);
  for (const line of logs as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(line).sort(), ['method', 'ms', 'path', 'requestId', 'status']);
  }
});
