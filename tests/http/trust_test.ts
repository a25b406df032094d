/** The answer's trust fields through app.request: seen-in-training flag (and, below, decision and calibration). */
import assert from 'node:assert/strict';
import { applyCalibration } from '../../src/model/calibration.ts';
import { encodeSeen, hashPrefix } from '../../src/model/seen.ts';
import { servedTiers, tierOf } from '../../src/model/tiers.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng, multipart } from '../fixtures/images.ts';
import { TINY_CARD } from '../fixtures/tiny-model.ts';

const trainingImage = await gradientPng(40, 40);
const otherImage = await gradientJpeg(40, 40);

/** An app around the tiny model with this card (and seen.bin), once its model is loaded. */
async function appWith(card: unknown = TINY_CARD, seen?: Uint8Array) {
  const predictor = tinyPredictor(card, seen);
  const { app } = testApp(predictor);
  await predictor;
  await new Promise((r) => setTimeout(r, 0)); // the app picks the predictor up in a then()
  return app;
}

const withSeen = await appWith(TINY_CARD, encodeSeen([await hashPrefix(trainingImage)]));
const withoutSeen = await appWith();

async function predict(app: typeof withSeen, images: Uint8Array[]) {
  const res = await app.request('/predict', { method: 'POST', body: multipart(images.map((bytes) => ({ name: 'image', bytes }))) });
  assert.equal(res.status, 200);
  return res.json();
}

Deno.test('seenInTraining: true for a training image\'s exact bytes, false otherwise, per image in a batch', async () => {
  assert.equal((await predict(withSeen, [trainingImage])).seenInTraining, true);
  assert.equal((await predict(withSeen, [otherImage])).seenInTraining, false);
  const { results } = await predict(withSeen, [otherImage, trainingImage, new TextEncoder().encode('%PDF-1.4 not an image')]);
  assert.deepEqual(results.map((r: { seenInTraining?: boolean }) => r.seenInTraining), [false, true, undefined]);
  assert.equal(results[2].status, 415);
});

Deno.test('seenInTraining is left out when the bundle has no seen.bin', async () => {
  const body = await predict(withoutSeen, [trainingImage]);
  assert.equal('seenInTraining' in body, false);
});

const CALIBRATION = { method: 'platt', slope: 0.5, intercept: 0.3, fittedOn: 'BUSI validation', n: 98 };

Deno.test('decision leads: flagged at or above the threshold, below_threshold under it, and the tier agrees', async () => {
  const { score } = await predict(withoutSeen, [otherImage]);
  for (const [threshold, decision] of [[score - 1e-6, 'flagged'], [score + 1e-6, 'below_threshold']] as const) {
    const app = await appWith({ ...TINY_CARD, threshold: { value: threshold } });
    const body = await predict(app, [otherImage]);
    assert.equal(body.decision, decision);
    assert.equal(body.aboveThreshold, decision === 'flagged');
    assert.match(body.decisionText, decision === 'flagged' ? /^Flagged for work-up/ : /^Below the model's operating threshold/);
    assert.equal(body.classification === 'Benign', decision === 'below_threshold');
    assert.equal(body.tier, tierOf(score, servedTiers(threshold)).id);
    // The original three fields come first, the decision right after them.
    assert.deepEqual(Object.keys(body).slice(0, 5), ['prediction', 'description', 'classification', 'decision', 'decisionText']);
  }
});

Deno.test('probability is the raw score without calibration and the calibrated one with it (and says so)', async () => {
  const raw = await predict(withoutSeen, [otherImage]);
  assert.equal(raw.calibrated, false);
  assert.equal(raw.probability, raw.score);
  assert.equal(raw.thresholdOn, 'score');
  const app = await appWith({ ...TINY_CARD, calibration: CALIBRATION });
  const body = await predict(app, [otherImage]);
  assert.equal(body.calibrated, true);
  assert.equal(body.score, raw.score);
  assert.ok(Math.abs(body.probability - applyCalibration(raw.score, CALIBRATION as never)) < 1e-12);
  assert.notEqual(body.probability, body.score);
  assert.equal(body.prediction, body.probability.toFixed(2));
  // Without threshold.scale the threshold applies to the raw score, calibration or not.
  assert.equal(body.thresholdOn, 'score');
  assert.equal(body.decision, body.score >= TINY_CARD.threshold.value ? 'flagged' : 'below_threshold');
  const model = await (await app.request('/model')).json();
  assert.deepEqual(model.calibration, CALIBRATION);
  assert.equal(model.serving.calibrated, true);
  assert.equal(model.serving.thresholdOn, 'score');
  assert.equal(model.serving.tiers[1].below, TINY_CARD.threshold.value);
  assert.equal(model.serving.tiers[1].belowScore, TINY_CARD.threshold.value);
  assert.ok(Math.abs(model.serving.tiers[1].belowProbability - applyCalibration(TINY_CARD.threshold.value, CALIBRATION as never)) < 1e-12);
});

Deno.test('decision and tier agree on either threshold scale, with a calibration', async () => {
  const raw = await predict(withoutSeen, [otherImage]);
  const calibrated = applyCalibration(raw.score, CALIBRATION as never);
  const cases = [['score', raw.score], ['probability', calibrated]] as const;
  for (const [scale, value] of cases) {
    for (const [threshold, decision] of [[value - 1e-6, 'flagged'], [value + 1e-6, 'below_threshold']] as const) {
      const app = await appWith({ ...TINY_CARD, threshold: { value: threshold, scale }, calibration: CALIBRATION });
      const body = await predict(app, [otherImage]);
      assert.equal(body.thresholdOn, scale);
      assert.equal(body.decision, decision, `${scale} ${decision}`);
      assert.equal(body.classification === 'Benign', decision === 'below_threshold');
      assert.match(body.decisionText, scale === 'probability' ? /calibrated model score/ : /the model score|: model score/);
      const model = await (await app.request('/model')).json();
      assert.equal(model.serving.tiers[1].below, threshold);
    }
  }
  await assert.rejects(() => tinyPredictor({ ...TINY_CARD, threshold: { value: 0.3, scale: 'logit' } }), /threshold\.scale/);
});

Deno.test('a card with a broken calibration fails at load, not per request', async () => {
  await assert.rejects(() => tinyPredictor({ ...TINY_CARD, calibration: { ...CALIBRATION, slope: -1 } }), /calibration/);
});

Deno.test('/model sends a summary by default and the whole card with ?full=1', async () => {
  const card = {
    ...TINY_CARD,
    notAMedicalDevice: 'Not a medical device.',
    metrics: { busiTest: { description: 'held-out', n: 10, sensitivity: 0.9, specificity: 0.5, reliability: [{ n: 1 }] } },
    training: { history: Array.from({ length: 50 }, (_, epoch) => ({ epoch, loss: 1 })) },
  };
  const app = await appWith(card);
  const summary = await (await app.request('/model')).json();
  assert.equal(summary.name, TINY_CARD.name);
  assert.equal(summary.notAMedicalDevice, 'Not a medical device.');
  assert.deepEqual(summary.metrics, { busiTest: { description: 'held-out', n: 10, sensitivity: 0.9, specificity: 0.5 } });
  assert.equal(summary.training, undefined);
  assert.equal(summary.serving.tiers.length, 6);
  assert.equal(summary.serving.seenInTrainingCheck, false);
  const full = await (await app.request('/model?full=1')).json();
  assert.equal(full.training.history.length, 50);
  assert.deepEqual(full.metrics.busiTest.reliability, [{ n: 1 }]);
  assert.deepEqual(full.serving, summary.serving);
});

Deno.test('/favicon.ico is served; /openapi.json documents 408 on /predict', async () => {
  const icon = await withoutSeen.request('/favicon.ico');
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
  assert.match(await icon.text(), /^<svg/);
  const doc = await (await withoutSeen.request('/openapi.json')).json();
  assert.ok(doc.paths['/predict'].post.responses['408']);
  for (const field of ['decision', 'decisionText', 'score', 'calibrated', 'seenInTraining']) {
    assert.ok(doc.components.schemas.Prediction.properties[field], field);
  }
});
