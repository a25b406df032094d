/** An assembled ensemble is one edge model whose output is sigmoid(mean of the members' logits), and the serving
 * Classifier loads it with its class activation map. Skipped without tfjs-node's binding. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingMissing } from './helpers/binding.ts';


test('ensemble of edge models = sigmoid(mean logit), loads in the serving classifier', { skip: bindingMissing(), timeout: 120_000 }, async () => {
  const tf = await import('@tensorflow/tfjs-node');
  await tf.setBackend('tensorflow');
  const { assembleEnsemble, buildEdge } = await import('../../train/architectures.ts');
  const members = [buildEdge(3), buildEdge(11), buildEdge(19)];
  // Moving statistics and biases away from their initial values, so a mis-copied weight would show.
  for (const m of members) {
    for (const layer of m.layers) {
      if (layer.name.endsWith('_bn') || layer.name === 'prediction') {
        layer.setWeights(layer.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 1.5)));
      }
    }
  }
  const ensemble = assembleEnsemble(members);
  assert.equal(ensemble.outputs.length, 1);
  assert.deepEqual(ensemble.getLayer('cam_features').outputShape, [null, 8, 8, 96 * 3]);
  const x = tf.randomUniform([4, 128, 128, 1], 0, 1, 'float32', 5) as import('@tensorflow/tfjs-node').Tensor4D;
  const logit = (p: number) => Math.log(p / (1 - p));
  const memberScores = members.map((m) => Array.from((m.predict(x) as import('@tensorflow/tfjs-node').Tensor).dataSync()));
  const got = Array.from((ensemble.predict(x) as import('@tensorflow/tfjs-node').Tensor).dataSync());
  got.forEach((p, i) => {
    const expected = 1 / (1 + Math.exp(-memberScores.reduce((s, m) => s + logit(m[i]), 0) / members.length));
    assert.ok(Math.abs(p - expected) < 1e-4, `image ${i}: ${p} vs ${expected}`);
  });

  // Saved as training saves it, it loads in the serving Classifier with a heatmap.
  let saved: import('@tensorflow/tfjs-core').io.ModelArtifacts | undefined;
  await ensemble.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const { Classifier } = await import('../../src/model/classifier.ts');
  const classifier = await Classifier.fromArtifacts({
    modelJson: { modelTopology: saved!.modelTopology as object, weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs! }], format: 'layers-model' },
    weights: { 'w.bin': new Uint8Array(saved!.weightData as ArrayBuffer) },
  });
  assert.ok(classifier.explainable);
  const first = x.slice([0, 0, 0, 0], [1, 128, 128, 1]).dataSync() as Float32Array;
  assert.ok(Math.abs(classifier.classify([first])[0] - got[0]) < 1e-4);
  classifier.dispose();
  x.dispose();
  ensemble.dispose();
  for (const m of members) m.dispose();
});
