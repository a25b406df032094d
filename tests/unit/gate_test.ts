/** The input gate's pieces: its distances equal the textbook Mahalanobis distance, the fit's eigen-solver agrees
 * with a full solve, gate.json is checked at load, a gate fitted on other weights is ignored, and the classifier's
 * pooled features come from the same pass as its probability. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { lowRankDistance } from '../../src/gate/distance.ts';
import { parseGateJson } from '../../src/gate/format.ts';
import { loadGate } from '../../src/gate/load.ts';
import { Classifier } from '../../src/model/classifier.ts';
import { fitLowRankGaussians } from '../../train/gate/fit.ts';
import { inverse, leadingEigen, symmetricEigen } from '../../train/gate/linalg.ts';
import { seededRandom } from '../../train/random.ts';
import { ensureBackend } from '../fixtures/app.ts';
import { exists } from '../fixtures/fs.ts';
import { tinyModelArtifacts } from '../fixtures/tiny-model.ts';

const GATE_URL = new URL('../../static/model/gate.json', import.meta.url);
const hasGate = await exists(GATE_URL);

function randomSpd(d: number, seed: number): number[][] {
  const random = seededRandom(seed);
  const a = Array.from({ length: d }, () => Array.from({ length: d }, () => random() - 0.5));
  return a.map((_, i) => a.map((_, j) => a[i].reduce((s, v, k) => s + v * a[j][k], 0) + (i === j ? 0.01 : 0)));
}

Deno.test('leading eigenpairs by subspace iteration match a full Jacobi solve', () => {
  const m = randomSpd(24, 3);
  const full = symmetricEigen(m);
  const top = leadingEigen(m, 5);
  for (let j = 0; j < 5; j++) {
    assert.ok(Math.abs(top.values[j] - full.values[j]) < 1e-6 * full.values[0], `eigenvalue ${j}`);
    const cos = Math.abs(top.vectors[j].reduce((s, v, i) => s + v * full.vectors[j][i], 0));
    assert.ok(cos > 0.999, `eigenvector ${j}: |cos| ${cos}`);
  }
});

Deno.test('the low-rank distance is the Mahalanobis distance under Uᵀ diag(λ) U + σ²(I − UᵀU)', () => {
  const random = seededRandom(9);
  const d = 10;
  const rows = Array.from({ length: 200 }, () => Array.from({ length: d }, (_, i) => (random() - 0.5) * (i + 1)));
  const g = fitLowRankGaussians(rows, rows.map((_, i) => i % 2), 4);
  const sigma = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => {
      const lowRank = g.components.reduce((s, u, j) => s + u[a] * u[b] * (g.variances[j] - g.residualVariance), 0);
      return lowRank + (a === b ? g.residualVariance : 0);
    })
  );
  const precision = inverse(sigma);
  const x = Array.from({ length: d }, () => random() * 3);
  const expected = Math.min(...g.means.map((mu) => {
    const z = x.map((v, i) => v - mu[i]);
    return z.reduce((s, zi, i) => s + zi * precision[i].reduce((t, p, j) => t + p * z[j], 0), 0);
  }));
  assert.ok(Math.abs(lowRankDistance(x, g) - expected) < 1e-8 * expected, `${lowRankDistance(x, g)} vs ${expected}`);
});

Deno.test({ name: 'gate.json is checked at load', ignore: !hasGate }, async () => {
  const json = JSON.parse(await Deno.readTextFile(GATE_URL));
  parseGateJson(json);
  assert.throws(() => parseGateJson({ ...json, format: 'other' }), /format/);
  assert.throws(() => parseGateJson({ ...json, features: { ...json.features, means: [[1, 2]] } }), /means/);
  assert.throws(() => parseGateJson({ ...json, image: { ...json.image, names: ['mean'] } }), /names/);
  assert.throws(() => parseGateJson({ ...json, combine: { zThreshold: 1, zScale: 0 } }), /combine/);
});

Deno.test({ name: 'a gate fitted on other weights is ignored (answers then carry no inputCheck)', ignore: !hasGate }, async () => {
  await ensureBackend();
  const artifacts = await tinyModelArtifacts();
  const json = JSON.parse(await Deno.readTextFile(GATE_URL));
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (line: string) => warnings.push(line);
  try {
    assert.equal(await loadGate(json, artifacts, json.model.featureDim), undefined);
  } finally {
    console.warn = warn;
  }
  assert.match(warnings.join('\n'), /gate_ignored/);
  assert.equal(await loadGate(undefined, artifacts, 8), undefined);
});

Deno.test('pooled features come from the same pass as the probability, folded or not', async () => {
  await ensureBackend();
  const artifacts = await tinyModelArtifacts();
  const classifier = await Classifier.fromArtifacts(artifacts);
  assert.equal(classifier.pooledFeatureDim, 8);
  const random = seededRandom(5);
  const inputs = [0, 1, 2].map(() => Float32Array.from({ length: 32 * 32 }, random));
  const { probabilities, features } = classifier.classifyWithFeatures(inputs);
  const plain = classifier.classify(inputs);
  probabilities.forEach((p, i) => assert.ok(Math.abs(p - plain[i]) < 1e-6));
  // The layers model's own `gap` output, without the folded pass.
  const bytes = new Uint8Array(artifacts.weights['weights.bin'] as Uint8Array);
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: artifacts.modelJson.modelTopology,
    weightSpecs: artifacts.modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  }));
  const gap = tfl.model({ inputs: model.inputs, outputs: model.getLayer('gap').output as tfl.SymbolicTensor });
  const expected = tf.tidy(() => (gap.predict(tf.tensor4d(inputs.flatMap((x) => Array.from(x)), [3, 32, 32, 1])) as tf.Tensor).arraySync() as number[][]);
  assert.equal(features!.length, 3);
  features!.forEach((f, i) => f.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-5, `feature ${i},${j}`)));
  model.dispose();
  classifier.dispose();
});
