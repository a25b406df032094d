/** explain=true gets its activation maps from the classifying pass: the same maps and probabilities as explain(). */
import assert from 'node:assert/strict';
import { Classifier } from '../../src/model/classifier.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../../src/runtime/deno-model.ts';
import { ensureBackend, hasBundledModel } from '../fixtures/app.ts';
import { tinyModelArtifacts } from '../fixtures/tiny-model.ts';

function seededRandom(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

Deno.test('maps from the classifying pass equal explain() per input, probabilities equal classify()', async () => {
  await ensureBackend();
  // The unfoldable one runs on the layers model's functional views (the path kept for what the fold cannot express).
  const sources = [await tinyModelArtifacts(), await tinyModelArtifacts(32, { unfoldable: true })];
  if (await hasBundledModel()) sources.push((await readModelDir(BUNDLED_MODEL_DIR)).artifacts);
  for (const artifacts of sources) {
    const classifier = await Classifier.fromArtifacts(artifacts);
    assert.ok(classifier.explainable);
    classifier.warmUp();
    const { height, width, channels } = classifier.inputSpec;
    const random = seededRandom(3);
    const inputs = [0, 1].map(() => Float32Array.from({ length: height * width * channels }, random));
    const { probabilities, features, maps } = classifier.classifyWithFeatures(inputs, true);
    assert.ok(maps && features);
    assert.equal(maps.length, inputs.length);
    const plain = classifier.classify(inputs);
    inputs.forEach((input, i) => {
      assert.ok(Math.abs(probabilities[i] - plain[i]) < 1e-6);
      const { map, probability } = classifier.explain(input);
      assert.ok(Math.abs(probability - probabilities[i]) < 1e-6);
      assert.deepEqual([maps[i].rows, maps[i].cols], [map.rows, map.cols]);
      const scale = Math.max(...Array.from(map.values, Math.abs));
      const diff = Math.max(...Array.from(map.values, (v, k) => Math.abs(v - maps[i].values[k])));
      assert.ok(scale > 0 && diff <= 1e-5 * scale, `map ${i} differs by ${diff} (scale ${scale})`);
    });
    // Without `maps` nothing extra is computed.
    assert.equal(classifier.classifyWithFeatures(inputs).maps, undefined);
    classifier.dispose();
  }
});
