/** Box mode through app.request: the roi field and query, several images, counts, malformed and clipped boxes. */
import assert from 'node:assert/strict';
import { Image } from 'imagescript';
import { toModelInput } from '../../src/image/preprocess.ts';
import { cropRaster } from '../../src/image/roi.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng, multipart } from '../fixtures/images.ts';

const predictor = tinyPredictor();
const { app } = testApp(predictor, { maxImagesPerRequest: 3, maxBodyBytes: 200_000, maxPixels: 1_000_000 });
const { classifier, roiMargin } = await predictor;

async function post(form: FormData, query = '') {
  const res = await app.request(`/predict${query}`, { method: 'POST', body: form });
  return { res, body: await res.json() };
}

const image = (bytes: Uint8Array) => ({ name: 'image', bytes });
const roi = (text: string) => ({ name: 'roi', text });

/** The probability the classifier gives the PNG's pixels inside `box`, computed here without the server. */
async function expectedProbability(png: Uint8Array, box: { x: number; y: number; width: number; height: number }) {
  const decoded = await Image.decode(png);
  const raster = { width: decoded.width, height: decoded.height, channels: 4 as const, data: new Uint8Array(decoded.bitmap) };
  return classifier.classify([toModelInput(cropRaster(raster, box), classifier.inputSpec)])[0];
}

Deno.test('without a box the answer says mode "whole" and has no roi', async () => {
  const { res, body } = await post(multipart([image(await gradientPng())]));
  assert.equal(res.status, 200);
  assert.equal(body.mode, 'whole');
  assert.equal(body.roi, undefined);
});

Deno.test('roi field: the model reads the box grown by the margin, and the answer reports that box', async () => {
  const png = await gradientPng(200, 100);
  const { res, body } = await post(multipart([image(png), roi('40,30,60,40')]));
  assert.equal(res.status, 200);
  assert.equal(body.mode, 'roi');
  const dx = Math.round(60 * roiMargin), dy = Math.round(40 * roiMargin);
  const box = { x: 40 - dx, y: 30 - dy, width: 60 + 2 * dx, height: 40 + 2 * dy };
  assert.deepEqual(body.roi, box);
  assert.deepEqual(body.image, { format: 'png', width: 200, height: 100 });
  assert.ok(Math.abs(body.probability - (await expectedProbability(png, box))) < 1e-5);
  const whole = (await post(multipart([image(png)]))).body.probability;
  assert.notEqual(body.probability, whole, 'the box reads other pixels than the whole image');
});

Deno.test('roi query parameter works like the field (the page sends it there)', async () => {
  const png = await gradientPng(200, 100);
  const field = (await post(multipart([image(png), roi('40,30,60,40')]))).body;
  const { res, body } = await post(multipart([image(png)]), '?roi=40,30,60,40');
  assert.equal(res.status, 200);
  assert.equal(body.mode, 'roi');
  assert.deepEqual(body.roi, field.roi);
  assert.equal(body.probability, field.probability);
});

Deno.test('several images: one roi each, in order; an empty roi means the whole image', async () => {
  const a = await gradientPng(120, 90), b = await gradientJpeg(80, 60);
  const { res, body } = await post(multipart([image(a), image(b), image(a), roi('10,10,40,30'), roi(''), roi('0,0,120,90')]));
  assert.equal(res.status, 200);
  const [first, second, third] = body.results;
  assert.equal(first.mode, 'roi');
  assert.deepEqual(first.roi, await clippedGrown({ x: 10, y: 10, width: 40, height: 30 }, 120, 90));
  assert.equal(second.mode, 'whole');
  assert.equal(third.mode, 'roi');
  assert.deepEqual(third.roi, { x: 0, y: 0, width: 120, height: 90 }, 'a box of the whole image stays the whole image');
});

async function clippedGrown(b: { x: number; y: number; width: number; height: number }, w: number, h: number) {
  const dx = Math.round(b.width * roiMargin), dy = Math.round(b.height * roiMargin);
  const x = Math.max(0, b.x - dx), y = Math.max(0, b.y - dy);
  return { x, y, width: Math.min(w, b.x + b.width + dx) - x, height: Math.min(h, b.y + b.height + dy) - y };
}

Deno.test('roi count ≠ image count is 400, as is roi in both the form and the query', async () => {
  const png = await gradientPng();
  for (const form of [multipart([image(png), image(png), roi('0,0,10,10')]), multipart([image(png), roi('0,0,10,10'), roi('0,0,10,10')])]) {
    const { res, body } = await post(form);
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'bad_request');
    assert.match(body.error.message, /"roi" value\(s\) for \d image\(s\)/);
  }
  const { res, body } = await post(multipart([image(png), roi('0,0,10,10')]), '?roi=0,0,10,10');
  assert.equal(res.status, 400);
  assert.match(body.error.message, /not both/);
});

Deno.test('malformed boxes are 422 invalid_roi naming the problem', async () => {
  const png = await gradientPng(64, 48);
  const cases: [string, RegExp][] = [
    ['1,2,3', /four integers/],
    ['a,2,30,30', /roi x must be an integer/],
    ['1,2,30.5,30', /roi width must be an integer/],
    ['1,2,7,30', /at least 8 px; got 7×30/],
    ['64,0,20,20', /entirely outside the 64×48 image/],
    ['-30,-30,20,20', /entirely outside/],
    ['60,0,20,20', /only 4×20 px inside/],
  ];
  for (const [text, message] of cases) {
    const { res, body } = await post(multipart([image(png), roi(text)]));
    assert.equal(res.status, 422, text);
    assert.equal(body.error.code, 'invalid_roi');
    assert.match(body.error.message, message);
  }
  const file = multipart([image(png), { name: 'roi', bytes: new Uint8Array([49]) }]);
  assert.equal((await post(file)).body.error.code, 'invalid_roi');
});

Deno.test('with several images a bad box names its image; one outside the image fails alone', async () => {
  const png = await gradientPng(64, 48);
  let r = await post(multipart([image(png), image(png), roi('0,0,20,20'), roi('0,0,2,20')]));
  assert.equal(r.res.status, 422);
  assert.match(r.body.error.message, /^image 2: /);
  r = await post(multipart([image(png), image(png), roi('0,0,20,20'), roi('100,100,20,20')]));
  assert.equal(r.res.status, 200);
  assert.equal(r.body.results[0].mode, 'roi');
  assert.equal(r.body.results[1].status, 422);
  assert.equal(r.body.results[1].error.code, 'invalid_roi');
});

Deno.test('a box partly outside is clipped, and the answer reports the clipped box', async () => {
  const png = await gradientPng(64, 48);
  const { res, body } = await post(multipart([image(png), roi('-10,30,40,40')]));
  assert.equal(res.status, 200);
  assert.equal(body.mode, 'roi');
  // Clipped to 0,30,30,18, grown by the margin, clipped again.
  assert.deepEqual(body.roi, await clippedGrown({ x: 0, y: 30, width: 30, height: 18 }, 64, 48));
  assert.ok(body.roi.x >= 0 && body.roi.y + body.roi.height <= 48);
});

Deno.test('box-mode heatmap lies over the box in original-image pixels', async () => {
  const png = await gradientPng(200, 100);
  const { body } = await post(multipart([image(png), roi('40,30,60,40')]), '?explain=true');
  const { cols, rows, cellWidth, cellHeight, x0, y0, values } = body.heatmap;
  assert.equal(values.length, rows * cols);
  assert.equal(x0, body.roi.x);
  assert.equal(y0, body.roi.y);
  assert.ok(Math.abs(cellWidth * cols - body.roi.width) < 1e-9);
  assert.ok(Math.abs(cellHeight * rows - body.roi.height) < 1e-9);
  const whole = (await post(multipart([image(png)]), '?explain=true')).body.heatmap;
  assert.deepEqual([whole.x0, whole.y0, whole.cellWidth * whole.cols], [0, 0, 200]);
});

Deno.test('a JPEG decoded at reduced scale still crops the right place', async () => {
  // 1024 px wide: the whole-image decode would be reduced; the box must be read at enough resolution.
  const jpeg = await gradientJpeg(1024, 768);
  const { res, body } = await post(multipart([image(jpeg), roi('500,300,100,80')]));
  assert.equal(res.status, 200);
  assert.deepEqual(body.roi, await clippedGrown({ x: 500, y: 300, width: 100, height: 80 }, 1024, 768));
  const decoded = await Image.decode(jpeg);
  const raster = { width: decoded.width, height: decoded.height, channels: 4 as const, data: new Uint8Array(decoded.bitmap) };
  const expected = classifier.classify([toModelInput(cropRaster(raster, body.roi), classifier.inputSpec)])[0];
  assert.ok(Math.abs(body.probability - expected) < 0.05, `${body.probability} vs full decode ${expected}`);
});

Deno.test('GET /model and /openapi.json describe box mode', async () => {
  const model = await (await app.request('/model')).json();
  assert.deepEqual(model.serving.roi, { margin: roiMargin, minSide: 8 });
  const doc = await (await app.request('/openapi.json')).json();
  const post = doc.paths['/predict'].post;
  assert.ok(post.parameters.some((p: { name: string }) => p.name === 'roi'));
  assert.ok(post.requestBody.content['multipart/form-data'].schema.properties.roi);
  assert.deepEqual(doc.components.schemas.Prediction.properties.mode.enum, ['roi', 'whole']);
  assert.ok(doc.components.schemas.Prediction.properties.heatmap.properties.x0);
});
