/** The folded forward pass (batch norm folded into convs, fused bias + activation) gives the layers model's
 * outputs up to float rounding, on the bundled model, the tiny model and a model with non-trivial batch norm. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FusedForward } from '../../src/model/fused-forward.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../../src/runtime/deno-model.ts';
import { ensureBackend, hasBundledModel } from '../fixtures/app.ts';
import { tinyModelArtifacts } from '../fixtures/tiny-model.ts';
import { randomDagModel } from '../fixtures/dag-model.ts';
import { loadLayersArtifacts as load } from '../fixtures/layers-model.ts';
import { cutLayer, loadMobileNetV2, trunkArtifacts } from '../../train/mobilenet-trunk.ts';

// Probabilities are compared absolutely; the fold rounds each weight once to float32.
const TOLERANCE = 1e-5;

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
    // The cut layer is kept readable (else the 1×1 projection before it folds into the 1×1 head).
    const fused = FusedForward.fromModel(model, { keep: ['cam_features', cutLayer(block)] });
    assert.ok(fused, `block ${block} must fold`);
    // Every BN and ReLU6 goes into its conv and every ZeroPadding2D into its strided depthwise conv; the
    // gray → RGB 1×1 conv (zero bias here) goes into Conv1.
    const unfoldable = model.layers.filter((l) => ['Add', 'GlobalAveragePooling2D', 'Dense', 'Conv2D', 'DepthwiseConv2D'].includes(l.getClassName()));
    assert.equal(fused.opCount, unfoldable.length - (channels === 1 ? 1 : 0));
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

/** input (1 channel) → gray 1×1 conv (3 channels) → [ZeroPadding2D] → 3×3 conv → BN → ReLU6 → 1×1 → 1×1 head → GAP → dense. */
function stemModel(padding: 'explicit' | 'same' | 'none', grayBias: (kernel: number[]) => number[]): tfl.LayersModel {
  const input = tfl.input({ shape: [15, 15, 1], name: 'image' });
  const on = (layer: { apply(x: tfl.SymbolicTensor): unknown }, x: tfl.SymbolicTensor) => layer.apply(x) as tfl.SymbolicTensor;
  const gray = tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'gray' });
  let x = on(gray, input);
  if (padding === 'explicit') x = on(tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'stem_pad' }), x);
  x = on(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, padding: padding === 'same' ? 'same' : 'valid', name: 'stem' }), x);
  x = on(tfl.layers.batchNormalization({ name: 'stem_bn' }), x);
  x = on(tfl.layers.reLU({ maxValue: 6, name: 'stem_relu' }), x);
  x = on(tfl.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, name: 'project' }), x);
  x = on(tfl.layers.batchNormalization({ name: 'project_bn' }), x);
  x = on(tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'head', activation: 'relu' }), x);
  x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
  x = on(tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction' }), x);
  const model = tfl.model({ inputs: input, outputs: x });
  const kernel = [1.5, -2, 0.75];
  gray.setWeights([tf.tensor4d(kernel, [1, 1, 1, 3]), tf.tensor1d(grayBias(kernel))]);
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0].shape[0];
    const u = (lo: number, hi: number, seed: number) => tf.randomUniform([n], lo, hi, 'float32', seed);
    layer.setWeights([u(0.5, 2, 1), u(-1, 1, 2), u(-0.5, 0.5, 3), u(0.1, 2, 4)]);
  }
  return model;
}

Deno.test('a linear 1×1 conv folds into the conv after it, exactly at the zero-padded border', async () => {
  await ensureBackend();
  // Bias −kernel·0.3: the gray level 0.3 maps to RGB 0, so the stem's zero padding is input 0.3 (shifted, exact).
  const shifted = (k: number[]) => k.map((w) => -w * 0.3);
  const cases = [
    { padding: 'explicit', bias: shifted, folds: true },
    { padding: 'same', bias: shifted, folds: true },
    { padding: 'none', bias: () => [0.2, -0.4, 0.1], folds: true }, // no padding: any bias folds into the conv's
    { padding: 'explicit', bias: () => [0.2, -0.4, 0.1], folds: false }, // padding, and no gray level maps to 0
  ] as const;
  for (const { padding, bias, folds } of cases) {
    const model = stemModel(padding, bias);
    const fused = FusedForward.fromModel(model)!;
    const plain = FusedForward.fromModel(model, { foldProjections: false })!;
    assert.equal(fused.hasLayer('gray'), !folds, `${padding}: gray folded`);
    // The projection (with its batch norm) goes into the 1×1 head: fewer multiply-adds, one op less.
    assert.ok(!fused.hasLayer('project_bn') && plain.hasLayer('project_bn'));
    assert.equal(fused.opCount, plain.opCount - 1 - (folds && bias !== shifted ? 1 : 0));
    // Values near 0 and 1 and random ones, so a wrong border value would show.
    const x = tf.concat([randomBatch([2, 15, 15, 1], 12), tf.zeros([1, 15, 15, 1]), tf.ones([1, 15, 15, 1])]) as tf.Tensor4D;
    assert.ok(maxDifference(model, fused, x) < TOLERANCE, `${padding}: ${maxDifference(model, fused, x)}`);
    assertTapsMatch(model, fused, x);
    x.dispose();
    fused.dispose();
    plain.dispose();
    model.dispose();
  }
});
