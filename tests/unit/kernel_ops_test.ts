/** The folded pass run straight on the WASM kernels gives the tfjs op layer's numbers bit for bit and frees every buffer. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FusedForward } from '../../src/model/fused-forward.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../../src/runtime/deno-model.ts';
import { ensureBackend, hasBundledModel } from '../fixtures/app.ts';
import { randomDagModel } from '../fixtures/dag-model.ts';
import { loadLayersArtifacts } from '../fixtures/layers-model.ts';
import { cutLayer, loadMobileNetV2, trunkArtifacts } from '../../train/mobilenet-trunk.ts';

/** Output and tapped layers as plain arrays, with the tensor and backend-buffer counts it left behind. */
function pass(fused: FusedForward, x: tf.Tensor4D, names: string[], via: 'kernels' | 'ops') {
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const values = tf.tidy(() => {
    const { output, layers } = fused.predictWithLayers(x, names, via);
    return [output, ...layers].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
  });
  return { values, tensorsLeft: tf.memory().numTensors - tensors, buffersLeft: tf.backend().numDataIds() - buffers };
}

Deno.test('MobileNetV2 trunk (gray stem, residual adds, GAP, dense): kernel path equals the op path exactly', async () => {
  await ensureBackend();
  const full = await loadMobileNetV2();
  const model = await loadLayersArtifacts(await trunkArtifacts(full, { block: 3, size: 64, channels: 1, headFilters: 16 }));
  const fused = FusedForward.fromModel(model, { keep: ['cam_features', 'gap', cutLayer(3)] })!;
  assert.ok(fused.onKernels, 'every op of the trunk has a WASM kernel');
  const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  for (const names of [[], ['gap'], ['gap', 'cam_features'], ['cam_features', cutLayer(3)]]) {
    const kernels = pass(fused, x, names, 'kernels');
    const ops = pass(fused, x, names, 'ops');
    assert.deepEqual(kernels.values, ops.values, names.join(','));
    assert.equal(kernels.tensorsLeft, 0);
    assert.equal(kernels.buffersLeft, 0);
  }
  x.dispose();
  fused.dispose();
  model.dispose();
  full.dispose();
});

Deno.test('under tf.profile the pass runs through the engine, so the profile lists its kernels', async () => {
  await ensureBackend();
  const full = await loadMobileNetV2();
  const model = await loadLayersArtifacts(await trunkArtifacts(full, { block: 2, size: 32, channels: 3, headFilters: 8 }));
  const fused = FusedForward.fromModel(model)!;
  assert.ok(fused.onKernels);
  const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
  const profile = await tf.profile(() => void tf.tidy(() => fused.predict(x).dataSync()));
  const kernels = profile.kernels.map((k) => k.name).filter((name) => !name.endsWith('__op'));
  assert.ok(kernels.filter((name) => name === 'FusedConv2D').length >= 3, kernels.join(','));
  x.dispose();
  fused.dispose();
  model.dispose();
  full.dispose();
});

Deno.test({
  name: 'bundled model (gray stem shifted by an offset): kernel path equals the op path exactly',
  ignore: !(await hasBundledModel()),
  async fn() {
    await ensureBackend();
    const model = await loadLayersArtifacts((await readModelDir(BUNDLED_MODEL_DIR)).artifacts);
    const fused = FusedForward.fromModel(model, { keep: ['cam_features', 'gap'] })!;
    assert.ok(fused.onKernels);
    const [, h, w, c] = model.inputs[0].shape as number[];
    const x = tf.randomUniform([2, h, w, c], 0, 1, 'float32', 5) as tf.Tensor4D;
    const kernels = pass(fused, x, ['gap', 'cam_features'], 'kernels');
    assert.deepEqual(kernels.values, pass(fused, x, ['gap', 'cam_features'], 'ops').values);
    assert.deepEqual([kernels.tensorsLeft, kernels.buffersLeft], [0, 0]);
    x.dispose();
    fused.dispose();
    model.dispose();
  },
});

Deno.test('a graph with ops that have no direct kernel (concat, pooling, padding) keeps the op layer', async () => {
  await ensureBackend();
  const { model, keep } = randomDagModel();
  const fused = FusedForward.fromModel(model, { keep })!;
  assert.equal(fused.onKernels, false);
  const x = tf.randomUniform([1, 17, 17, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  assert.deepEqual(pass(fused, x, ['gap'], 'kernels').values, pass(fused, x, ['gap'], 'ops').values);
  x.dispose();
  fused.dispose();
  model.dispose();
});
