/** The folded forward pass (batch norm folded into convs, fused bias + activation) gives the layers model's
 * outputs up to float rounding, on the bundled model, the tiny model and a model with non-trivial batch norm. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FusedForward } from '../../src/model/fused-forward.ts';
import type { ModelArtifacts } from '../../src/model/classifier.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../../src/runtime/deno-model.ts';
import { ensureBackend, hasBundledModel } from '../fixtures/app.ts';
import { tinyModelArtifacts } from '../fixtures/tiny-model.ts';
import { randomDagModel } from '../fixtures/dag-model.ts';
import { cutLayer, loadMobileNetV2, trunkArtifacts } from '../../train/mobilenet-trunk.ts';

// Probabilities are compared absolutely; the fold rounds each weight once to float32.
const TOLERANCE = 1e-5;

function load({ modelJson, weights }: ModelArtifacts): Promise<tfl.LayersModel> {
  const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
  const parts = paths.map((p) => new Uint8Array(weights[p] as Uint8Array));
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: data.buffer,
  }));
}

function randomBatch(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}

function maxDifference(model: tfl.LayersModel, fused: FusedForward, x: tf.Tensor4D): number {
  return tf.tidy(() => {
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = fused.predict(x).dataSync();
    assert.equal(a.length, b.length);
    return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
  });
}

/** Every layer the folded pass can tap equals the layers model's output for it (relative to its scale). */
function assertTapsMatch(model: tfl.LayersModel, fused: FusedForward, x: tf.Tensor4D): void {
  const names = model.layers.map((l) => l.name).filter((n) => fused.hasLayer(n) && model.getLayer(n).getClassName() !== 'InputLayer');
  assert.ok(names.length > 0);
  const view = tfl.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tfl.SymbolicTensor) });
  tf.tidy(() => {
    const expected = [view.predict(x)].flat() as tf.Tensor[];
    for (const [i, name] of names.entries()) {
      const { layer } = fused.predictWithLayer(x, name);
      assert.deepEqual(layer.shape, expected[i].shape, name);
      const scale = Math.max(1, tf.max(tf.abs(expected[i])).dataSync()[0]);
      const diff = tf.max(tf.abs(tf.sub(layer, expected[i]))).dataSync()[0];
      assert.ok(diff / scale < 1e-4, `${name} differs by ${diff}`);
    }
  });
}

Deno.test('folded forward pass matches the layers model: tiny model', async () => {
  await ensureBackend();
  const model = await load(await tinyModelArtifacts());
  const fused = FusedForward.fromModel(model);
  assert.ok(fused, 'the tiny model is a plain chain and must fold');
  const x = randomBatch([3, 32, 32, 1], 7);
  assert.ok(maxDifference(model, fused, x) < TOLERANCE);
  fused.dispose();
  model.dispose();
});

Deno.test('folded forward pass matches the layers model: batch norm with trained-like statistics, flatten, dense', async () => {
  await ensureBackend();
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [20, 20, 3], filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: true }),
      tfl.layers.batchNormalization({ epsilon: 1e-3 }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'valid', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 4, activation: 'relu' }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  // Give batch norm statistics far from the identity so a wrong fold shows.
  const bn = model.layers[1];
  bn.setWeights([
    tf.tensor1d([0.5, 2, 1.5, 0.7, 1.1, 3]),
    tf.tensor1d([0.1, -0.2, 0.3, 0, 0.5, -1]),
    tf.tensor1d([0.2, -0.1, 0.4, 1, -0.5, 0.05]),
    tf.tensor1d([0.3, 2, 0.05, 1.5, 0.8, 0.01]),
  ]);
  const fused = FusedForward.fromModel(model);
  assert.ok(fused);
  assert.ok(maxDifference(model, fused, randomBatch([4, 20, 20, 3], 3)) < TOLERANCE);
  fused.dispose();
  model.dispose();
});

Deno.test('layers the fold cannot express leave the model to the layers API', async () => {
  await ensureBackend();
  const input = tfl.input({ shape: [8, 8, 1] });
  const a = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', dilationRate: 2 }).apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: a });
  assert.equal(FusedForward.fromModel(model), null);
  const twoOutputs = tfl.model({ inputs: input, outputs: [a, input] });
  assert.equal(FusedForward.fromModel(twoOutputs), null);
  model.dispose();
});

Deno.test('folded forward pass matches the layers model on a random DAG, and at every layer it can tap', async () => {
  await ensureBackend();
  const { model, keep } = randomDagModel();
  const fused = FusedForward.fromModel(model, { keep });
  assert.ok(fused, 'residual adds, concatenation, padding, depthwise convs and ReLU6 must fold');
  assert.ok(fused.opCount < model.layers.length - 8, `only ${model.layers.length - fused.opCount} layers folded away`);
  assert.ok(maxDifference(model, fused, randomBatch([3, 17, 17, 3], 4)) < TOLERANCE);
  assertTapsMatch(model, fused, randomBatch([2, 17, 17, 3], 8));
  for (const name of ['cam_features', 'gap', 'sum', 'joined']) assert.ok(fused.hasLayer(name), name);
  // A folded-away layer has no output of its own to tap.
  assert.ok(!fused.hasLayer('stem_conv') && !fused.hasLayer('stem_pad'));
  fused.dispose();
  model.dispose();
});

Deno.test('MobileNetV2 trunk from nsfwjs, cut and headed, folds to the layers model\'s numbers (1 and 3 channels)', async () => {
  await ensureBackend();
  const full = await loadMobileNetV2();
  for (const [block, size, channels] of [[5, 96, 3], [3, 64, 1]] as const) {
    const model = await load(await trunkArtifacts(full, { block, size, channels, headFilters: 16 }));
    const fused = FusedForward.fromModel(model, { keep: ['cam_features'] });
    assert.ok(fused, `block ${block} must fold`);
    // Every BN and ReLU6 goes into its conv and every ZeroPadding2D into its strided depthwise conv.
    const unfoldable = model.layers.filter((l) => ['Add', 'GlobalAveragePooling2D', 'Dense', 'Conv2D', 'DepthwiseConv2D'].includes(l.getClassName()));
    assert.equal(fused.opCount, unfoldable.length);
    assert.ok(maxDifference(model, fused, randomBatch([2, size, size, channels], 2)) < TOLERANCE);
    assertTapsMatch(model, fused, randomBatch([1, size, size, channels], 6));
    assert.ok(fused.hasLayer(cutLayer(block)));
    tf.tidy(() => {
      // cam_features and gap from one pass, as the layers model gives them.
      const x = randomBatch([1, size, size, channels], 9);
      const { output, layers: [features, pooled] } = fused.predictWithLayers(x, ['cam_features', 'gap']);
      const view = tfl.model({ inputs: model.inputs, outputs: ['cam_features', 'gap'].map((n) => model.getLayer(n).output as tfl.SymbolicTensor) });
      const [f, g] = view.predict(x) as tf.Tensor[];
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      assert.ok(diff(features, f) < 1e-4 * Math.max(1, tf.max(f).dataSync()[0]));
      assert.ok(diff(pooled, g) < 1e-4 * Math.max(1, tf.max(g).dataSync()[0]));
      assert.ok(diff(output, model.predict(x) as tf.Tensor) < TOLERANCE);
    });
    fused.dispose();
    model.dispose();
  }
  full.dispose();
});

Deno.test({
  name: 'folded forward pass matches the layers model: bundled model',
  ignore: !(await hasBundledModel()),
  async fn() {
    await ensureBackend();
    const { artifacts } = await readModelDir(BUNDLED_MODEL_DIR);
    const model = await load(artifacts);
    const fused = FusedForward.fromModel(model);
    assert.ok(fused, 'the edge architecture is a plain chain and must fold');
    const [, h, w, c] = model.inputs[0].shape as [null, number, number, number];
    assert.ok(maxDifference(model, fused, randomBatch([4, h, w, c], 11)) < TOLERANCE);
    fused.dispose();
    model.dispose();
  },
});

Deno.test('a named layer read from the folded pass equals the layers model\'s output for it (CAM features)', async () => {
  await ensureBackend();
  const sources = [await tinyModelArtifacts()];
  if (await hasBundledModel()) sources.push((await readModelDir(BUNDLED_MODEL_DIR)).artifacts);
  for (const artifacts of sources) {
    const model = await load(artifacts);
    const fused = FusedForward.fromModel(model)!;
    const view = tfl.model({ inputs: model.inputs, outputs: [model.getLayer('cam_features').output as tfl.SymbolicTensor, model.outputs[0]] });
    const [, h, w, c] = model.inputs[0].shape as [null, number, number, number];
    tf.tidy(() => {
      const x = randomBatch([2, h, w, c], 5);
      const [features, output] = view.predict(x) as tf.Tensor[];
      const folded = fused.predictWithLayer(x, 'cam_features');
      assert.deepEqual(folded.layer.shape, features.shape);
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      // Features are unbounded activations: compare relative to their scale.
      const scale = Math.max(1, tf.max(tf.abs(features)).dataSync()[0]);
      assert.ok(diff(folded.layer, features) / scale < 1e-4, `features differ by ${diff(folded.layer, features)}`);
      assert.ok(diff(folded.output, output) < TOLERANCE);
    });
    fused.dispose();
    model.dispose();
  }
});
