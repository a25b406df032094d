/** The folded graph read from model.json alone (no tfjs-layers model, as the Classifier starts) is the one built
 * from the layers model: the same ops, taps and output bits. What it cannot read leaves the layers model to serve. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Classifier } from '../../src/model/classifier.ts';
import { FusedForward } from '../../src/model/fused-forward.ts';
import { readTopologyGraph } from '../../src/model/topology-graph.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../../src/runtime/deno-model.ts';
import { ensureBackend, hasBundledModel } from '../fixtures/app.ts';
import { randomDagModel } from '../fixtures/dag-model.ts';
import { tinyModelArtifacts } from '../fixtures/tiny-model.ts';

type Saved = { topology: Record<string, unknown>; specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer };

async function save(model: tfl.LayersModel): Promise<Saved> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return { topology: saved!.modelTopology as Record<string, unknown>, specs: saved!.weightSpecs!, data: saved!.weightData as ArrayBuffer };
}

function load({ topology, specs, data }: Saved): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data }));
}

function fromTopology({ topology, specs, data }: Saved, keep: string[]): FusedForward | null {
  const weights = tf.io.decodeWeights(data, specs);
  try {
    const graph = readTopologyGraph(topology, weights);
    return graph && FusedForward.fromGraph(graph, { keep });
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/** Same op count, the same tappable layers, and bit-identical output and taps on a random batch. */
function assertSameGraph(model: tfl.LayersModel, a: FusedForward, b: FusedForward, label: string): void {
  assert.equal(a.opCount, b.opCount, `${label}: op count`);
  const names = model.layers.map((l) => l.name).filter((n) => a.hasLayer(n) && model.getLayer(n).getClassName() !== 'InputLayer');
  assert.deepEqual(names.map((n) => b.hasLayer(n)), names.map(() => true), `${label}: taps`);
  const [, h, w, c] = model.inputs[0].shape as number[];
  tf.tidy(() => {
    const x = tf.randomUniform([2, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [ra, rb] = [a, b].map((f) => f.predictWithLayers(x, names));
    assert.deepEqual(rb.output.dataSync(), ra.output.dataSync(), `${label}: output`);
    names.forEach((n, i) => assert.deepEqual(rb.layers[i].dataSync(), ra.layers[i].dataSync(), `${label}: ${n}`));
  });
}

Deno.test('the folded graph from model.json equals the one from the layers model, bit for bit', async () => {
  await ensureBackend();
  const sources: { label: string; saved: Saved; keep: string[] }[] = [];
  const dag = randomDagModel();
  sources.push({ label: 'random DAG (functional)', saved: await save(dag.model), keep: dag.keep });
  dag.model.dispose();
  const tiny = await tinyModelArtifacts();
  const asSaved = ({ modelJson, weights }: typeof tiny): Saved => ({
    topology: modelJson.modelTopology as Record<string, unknown>,
    specs: modelJson.weightsManifest.flatMap((g) => g.weights),
    data: (weights['weights.bin'] as Uint8Array).slice().buffer,
  });
  sources.push({ label: 'tiny (Sequential)', saved: asSaved(tiny), keep: ['cam_features', 'gap'] });
  if (await hasBundledModel()) {
    sources.push({ label: 'bundled (uint8 weights)', saved: asSaved((await readModelDir(BUNDLED_MODEL_DIR)).artifacts), keep: ['cam_features', 'gap'] });
  }
  for (const { label, saved, keep } of sources) {
    const model = await load(saved);
    const a = FusedForward.fromModel(model, { keep })!;
    const b = fromTopology(saved, keep);
    assert.ok(a && b, `${label} must fold both ways`);
    assertSameGraph(model, a, b, label);
    a.dispose();
    b.dispose();
    model.dispose();
  }
});

Deno.test('Keras-style one-number fields in model.json read as tfjs-layers widens them', async () => {
  await ensureBackend();
  const input = tfl.input({ shape: [12, 12, 2], name: 'image' });
  let x = tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pad' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 4, kernelSize: [3, 3], strides: [2, 2], name: 'conv', activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: [2, 2], name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten({ name: 'flat' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  const saved = await save(model);
  const edited = structuredClone(saved.topology) as { config: { layers: { name: string; config: Record<string, unknown> }[] } };
  const config = (name: string) => edited.config.layers.find((l) => l.name === name)!.config;
  Object.assign(config('pad'), { padding: 1 });
  Object.assign(config('conv'), { strides: 2, kernel_size: 3, dilation_rate: 1 });
  Object.assign(config('pool'), { pool_size: 2, strides: null });
  const a = FusedForward.fromModel(model)!;
  const b = fromTopology({ ...saved, topology: edited as unknown as Record<string, unknown> }, []);
  assert.ok(b);
  assertSameGraph(model, a, b, 'one-number fields');
  a.dispose();
  b.dispose();
  model.dispose();
});

Deno.test('a model.json the topology reader cannot place is left to the layers model; both paths give input spec, feature size, parameter count', async () => {
  await ensureBackend();
  const tiny = await tinyModelArtifacts();
  // A weight no layer takes: the reader refuses rather than guess, and the Classifier loads the layers model.
  const spec = tiny.modelJson.weightsManifest[0].weights.find((w) => w.name.endsWith('/bias'))!;
  const renamed = structuredClone(tiny.modelJson);
  renamed.weightsManifest[0].weights = renamed.weightsManifest[0].weights.map((w) => w.name === spec.name ? { ...w, name: `${w.name}_x` } : w);
  const weights = tf.io.decodeWeights((tiny.weights['weights.bin'] as Uint8Array).slice().buffer, renamed.weightsManifest[0].weights);
  assert.equal(readTopologyGraph(renamed.modelTopology, weights), null);
  tf.dispose(Object.values(weights));
  const [folded, layers] = [await Classifier.fromArtifacts(tiny), await Classifier.fromArtifacts(await tinyModelArtifacts(32, { unfoldable: true }))];
  for (const classifier of [folded, layers]) {
    assert.equal(classifier.pooledFeatureDim, 8);
    assert.deepEqual(classifier.inputSpec, { height: 32, width: 32, channels: 1 });
  }
  assert.equal(folded.parameterCount, (await load({
    topology: tiny.modelJson.modelTopology as Record<string, unknown>,
    specs: tiny.modelJson.weightsManifest[0].weights,
    data: (tiny.weights['weights.bin'] as Uint8Array).slice().buffer,
  }).then((m) => {
    const n = m.countParams();
    m.dispose();
    return n;
  })));
  folded.dispose();
  layers.dispose();
});
