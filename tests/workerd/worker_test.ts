/** The same app in real workerd: every route and error behaves as on Deno, the same probability per image. */
import assert from 'node:assert/strict';
import { bundledPredictor, hasBundledModel, testApp } from '../fixtures/app.ts';
import { DATA_DIR, hasData, readData } from '../fixtures/data.ts';
import { gradientJpeg, multipart, pngHeaderDeclaring } from '../fixtures/images.ts';
import { startWorkerd } from '../fixtures/workerd.ts';

const ready = (await hasBundledModel()) && hasData();
if (!ready) console.warn(`skipping workerd tests: needs static/model and ${DATA_DIR}`);

Deno.test({ name: 'workerd serves the same answers as the Deno app', ignore: !ready, sanitizeResources: false, sanitizeOps: false }, async () => {
  const worker = await startWorkerd();
  try {
    const { app } = testApp(bundledPredictor());
    const readyBody = await (await fetch(`${worker.url}/ready`)).json();
    assert.equal(readyBody.backend, 'wasm', 'tfjs must run on WASM (SIMD module imported), not the CPU fallback');

    const images = ['busi/benign/benign (1).png', 'busi/malignant/malignant (1).png', 'breast-lesions-usg/malignant/case005.png'];
    for (const file of images) {
      const bytes = readData(file);
      const [remote, local] = await Promise.all([
        fetch(`${worker.url}/predict`, { method: 'POST', body: multipart([{ name: 'image', bytes }]) }).then((r) => r.json()),
        Promise.resolve(app.request('/predict', { method: 'POST', body: multipart([{ name: 'image', bytes }]) })).then((r) => r.json()),
      ]);
      assert.equal(remote.probability, local.probability, file);
      assert.equal(remote.tier, local.tier);
      assert.equal(remote.prediction, local.prediction);
    }

    const jpeg = await gradientJpeg(300, 200);
    const cases: [string, RequestInit, number][] = [
      ['/predict', { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } }, 400],
      ['/predict', { method: 'POST', body: multipart([{ name: 'file', bytes: jpeg }]) }, 400],
      ['/predict', { method: 'GET' }, 405],
      ['/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: pngHeaderDeclaring(20000, 20000) }]) }, 413],
      ['/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: new TextEncoder().encode('GIF89a....') }]) }, 415],
      ['/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: jpeg.slice(0, 200) }]) }, 422],
      ['/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: jpeg }, { name: 'image', bytes: jpeg }]) }, 200],
      ['/health', {}, 200],
      ['/model', {}, 200],
      ['/openapi.json', {}, 200],
      ['/nope', {}, 404],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetch(`${worker.url}${path}`, init);
      const body = await res.json();
      assert.equal(res.status, status, `${init.method ?? 'GET'} ${path}: ${JSON.stringify(body).slice(0, 200)}`);
      const local = await app.request(path, init.body instanceof FormData ? { ...init } : init);
      assert.equal(local.status, status, `Deno app agrees on ${path}`);
      await local.body?.cancel();
      if (status >= 400) assert.equal(typeof body.error.code, 'string');
    }
  } finally {
    await worker.stop();
  }
});
