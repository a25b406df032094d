/** The answer's trust fields through app.request: seen-in-training flag (and, below, decision and calibration). */
import assert from 'node:assert/strict';
import { encodeSeen, hashPrefix } from '../../src/model/seen.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng, multipart } from '../fixtures/images.ts';
import { TINY_CARD } from '../fixtures/tiny-model.ts';

const trainingImage = await gradientPng(40, 40);
const otherImage = await gradientJpeg(40, 40);
const withSeen = testApp(tinyPredictor(TINY_CARD, encodeSeen([await hashPrefix(trainingImage)]))).app;
const withoutSeen = testApp(tinyPredictor()).app;

async function predict(app: typeof withSeen, images: Uint8Array[]) {
  const res = await app.request('/predict', { method: 'POST', body: multipart(images.map((bytes) => ({ name: 'image', bytes }))) });
  assert.equal(res.status, 200);
  return res.json();
}

Deno.test('seenInTraining: true for a training image\'s exact bytes, false otherwise, per image in a batch', async () => {
  assert.equal((await predict(withSeen, [trainingImage])).seenInTraining, true);
  assert.equal((await predict(withSeen, [otherImage])).seenInTraining, false);
  const { results } = await predict(withSeen, [otherImage, trainingImage, new TextEncoder().encode('GIF89a....')]);
  assert.deepEqual(results.map((r: { seenInTraining?: boolean }) => r.seenInTraining), [false, true, undefined]);
  assert.equal(results[2].status, 415);
});

Deno.test('seenInTraining is left out when the bundle has no seen.bin', async () => {
  const body = await predict(withoutSeen, [trainingImage]);
  assert.equal('seenInTraining' in body, false);
});
