/** The lesion-mask targets of cached views: the mask's cover of each head-grid cell, moved with the augmentation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingMissing } from './helpers/binding.ts';

const skip = bindingMissing();

test('stem features carry each view’s lesion cover on the head grid, plain and augmented', { skip }, async () => {
  const tf = await import('@tensorflow/tfjs-node');
  const { stemFeatures } = await import('../../train/pretrained/stem-features.ts');
  const { seededRandom } = await import('../../train/random.ts');
  const size = 16;
  const input = tf.input({ shape: [size, size, 1] });
  const pooled = tf.layers.averagePooling2d({ poolSize: 2 }).apply(input) as ReturnType<typeof tf.input>;
  const stem = tf.model({ inputs: input, outputs: pooled });
  // A lesion filling the top-left quarter: on a 4×4 grid, the four top-left cells are covered, the rest empty.
  const mask = new Float32Array(size * size).map((_, i) => (Math.floor(i / size) < 8 && i % size < 8 ? 1 : 0));
  const image = new Float32Array(size * size).fill(0.5);
  const plain = stemFeatures(stem, [image], undefined, { masks: [mask], grid: [4, 4] });
  assert.deepEqual(Array.from(plain.targets![0]), [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(plain.features[0].length, 8 * 8);

  // Augmented: framing moves and scales the mask, so cover changes, but the lesion stays about the same share of
  // the frame as the crop allows; the features do not depend on whether masks were given (same random draws).
  const settings = { minCrop: 0.3, maxZoomOut: 1.35, blurRate: 0.3 };
  const withMask = stemFeatures(stem, [image, image], { random: seededRandom(3), settings }, { masks: [mask, mask], grid: [4, 4] });
  const without = stemFeatures(stem, [image, image], { random: seededRandom(3), settings });
  assert.equal(withMask.targets!.length, 2);
  assert.ok(withMask.targets!.some((t) => Array.from(t).join() !== Array.from(plain.targets![0]).join()), 'augmentation moved the mask');
  withMask.targets!.forEach((t) => assert.ok(t.every((v) => v >= 0 && v <= 1)));
  assert.ok(withMask.targets!.every((t) => t.some((v) => v > 0)), 'the lesion stays in view');
  assert.deepEqual(withMask.features.map((f) => Array.from(f.slice(0, 8))), without.features.map((f) => Array.from(f.slice(0, 8))));
  stem.dispose();
});
