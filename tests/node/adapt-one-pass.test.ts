/** The fast batch-norm adaptation (train/adapt/one-pass.ts) against the exact layer-by-layer method, on WASM. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useAdaptBackend } from '../../train/adapt/backend.ts';
import { type AdaptOptions, adaptBatchNorm, batchNormLayers, movingStats } from '../../train/adapt/batch-norm.ts';
import { balancedBatches } from '../../train/adapt/moments.ts';
import { loadLayersModelDir } from '../../train/adapt/model-dir.ts';
import { mobileNetLike, saveModelDir, siteImages } from './helpers/bn-models.ts';

const SIZE = 32;
let dir: string;
let source: string;
const inputs = siteImages(40, SIZE, 3);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'adapt-one-pass-'));
  await useAdaptBackend('wasm');
  source = join(dir, 'mnv2');
  const built = mobileNetLike(SIZE);
  await saveModelDir(built, source, { name: 'mnv2-like', version: '0.0.1', threshold: { value: 0.5 } });
  built.dispose();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh copy adapted with `options`: its moving statistics and its scores on the inputs. */
async function adapt(options: AdaptOptions) {
  const model = await loadLayersModelDir(source);
  adaptBatchNorm(model, inputs, options);
  const stats = batchNormLayers(model).map(movingStats);
  const scores = tf.tidy(() => Array.from((model.predict(tf.stack(inputs.map((x) => tf.tensor(x, [SIZE, SIZE, 3])))) as tf.Tensor).dataSync()));
  model.dispose();
  return { stats, scores };
}

/** Largest mean difference (in the reference's SD), largest |log variance ratio|, largest |Δ score|. */
function distance(a: Awaited<ReturnType<typeof adapt>>, ref: Awaited<ReturnType<typeof adapt>>) {
  let mean = 0;
  let logVar = 0;
  a.stats.forEach((s, k) => s.mean.forEach((m, c) => {
    const r = ref.stats[k];
    mean = Math.max(mean, Math.abs(m - r.mean[c]) / Math.sqrt(r.variance[c] + 1e-3));
    logVar = Math.max(logVar, Math.abs(Math.log((s.variance[c] + 1e-6) / (r.variance[c] + 1e-6))));
  }));
  return { mean, logVar, score: Math.max(...a.scores.map((p, i) => Math.abs(p - ref.scores[i]))) };
}

test('one pass with batch statistics upstream matches the layer-by-layer statistics and scores; one pass with the source statistics does not', async () => {
  const exact = await adapt({ method: 'layerwise', batchSize: 7 });
  const fast = distance(await adapt({ method: 'one-pass', batchSize: 20 }), exact);
  // Tolerances: 0.05 source SD on means, 25% on variances, 0.03 on a probability (2 batches of 20 images).
  assert.ok(fast.mean < 0.05 && fast.logVar < Math.log(1.25) && fast.score < 0.03, `one-pass vs layerwise: ${JSON.stringify(fast)}`);
  // The naive single pass (every layer measured behind the source statistics) is far outside the same tolerances on
  // this shifted "site": the check above can fail.
  const naive = distance(await adapt({ method: 'one-pass', upstream: 'moving', batchSize: 20 }), exact);
  assert.ok(naive.mean > 0.05 && naive.score > 0.03, `source-statistics pass vs layerwise: ${JSON.stringify(naive)}`);
});

test('L refining passes behind the moving statistics reproduce the layerwise result exactly; L − 1 do not (the multi-output pass measures the right tensors)', async () => {
  const exact = await adapt({ method: 'layerwise', batchSize: 7 });
  const layers = 12; // batch-norm layers of mobileNetLike
  const full = distance(await adapt({ method: 'one-pass', upstream: 'moving', passes: layers, batchSize: 13 }), exact);
  assert.ok(full.mean < 1e-3 && full.logVar < 1e-3 && full.score < 1e-4, JSON.stringify(full));
  const short = distance(await adapt({ method: 'one-pass', upstream: 'moving', passes: layers - 1, batchSize: 13 }), exact);
  assert.ok(short.mean > 1e-2, JSON.stringify(short));
});

test('batches are balanced (no single-image batch) and a dropout before a batch norm is refused for batch statistics', async () => {
  assert.deepEqual(balancedBatches(33, 32), [[0, 16], [16, 33]]);
  assert.deepEqual(balancedBatches(64, 32), [[0, 32], [32, 64]]);
  assert.deepEqual(balancedBatches(5, 32), [[0, 5]]);
  const input = tfl.input({ shape: [4] });
  const dropped = tfl.layers.dropout({ rate: 0.5 }).apply(tfl.layers.dense({ units: 4 }).apply(input)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: tfl.layers.batchNormalization().apply(dropped) as tfl.SymbolicTensor });
  const rows = siteImages(6, 1, 1).map((x) => Float32Array.from([...x, x[0]]));
  assert.throws(() => adaptBatchNorm(model, rows), /dropout.*layerwise/);
  assert.equal(adaptBatchNorm(model, rows, { method: 'layerwise' }).length, 1);
  model.dispose();
});

test('layers: trainable leaves the frozen batch norms exactly as they were and matches layerwise on the others', async () => {
  const frozen = (await loadLayersModelDir(source)).layers.filter((l) => l.getClassName() === 'BatchNormalization' && !l.trainable).map((l) => l.name);
  assert.deepEqual(frozen, ['bn_Conv1', 'block_1_expand_BN', 'block_1_depthwise_BN', 'block_1_project_BN']);
  const original = await loadLayersModelDir(source);
  const before = batchNormLayers(original).map(movingStats);
  original.dispose();
  const exact = await adapt({ method: 'layerwise', batchSize: 7, layers: 'trainable' });
  const fast = await adapt({ method: 'one-pass', batchSize: 20, layers: 'trainable' });
  // adapt() reads every batch-norm layer; the first four are the frozen ones, in network order.
  for (const run of [exact, fast]) {
    for (let k = 0; k < 4; k++) assert.deepEqual(run.stats[k], before[k], `frozen layer ${frozen[k]} changed`);
    assert.ok(run.stats.slice(4).every((s, k) => s.mean.some((m, c) => m !== before[k + 4].mean[c])), 'every trainable layer moved');
  }
  const d = distance(fast, exact);
  assert.ok(d.mean < 0.05 && d.logVar < Math.log(1.25) && d.score < 0.03, JSON.stringify(d));
  // Different from adapting every layer: the frozen statistics matter downstream.
  const every = await adapt({ method: 'layerwise', batchSize: 7 });
  assert.ok(distance(every, exact).score > 0.03);
});
