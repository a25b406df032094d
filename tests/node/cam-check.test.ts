/** camCheck on hand-made maps: it scores with the heatmap evaluation's pointing game (train/eval/heatmap.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Classifier } from '../../src/model/classifier.ts';
import { camCheck } from '../../train/eval/cam-check.ts';
import { boundingBox } from '../../train/data/masks.ts';

test('pointing game, chance and heatmap mass on a 4×4 grid over an 8×8 input', () => {
  // The lesion covers the top-left 2×2 pixels = grid cell (0, 0): 1 of 16 cells.
  const mask = new Float32Array(64);
  for (const [y, x] of [[0, 0], [0, 1], [1, 0], [1, 1]]) mask[y * 8 + x] = 1;
  const lesion = { mask, box: boundingBox(mask, 8, 8) };
  assert.deepEqual(lesion.box, [0, 0, 0.25, 0.25]);
  const maps = [
    [3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5], // peak on the lesion; 3 of 4 positive mass on it
    [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], // peak elsewhere; no mass on it
  ];
  let call = 0;
  const fake = {
    inputSpec: { height: 8, width: 8, channels: 1 },
    explain: () => ({ probability: 0.5, map: { rows: 4, cols: 4, values: Float32Array.from(maps[call++]) } }),
  } as unknown as Classifier;
  const empty = { mask: new Float32Array(64), box: null };
  const inputs = [new Float32Array(64), new Float32Array(64), new Float32Array(64)];
  const result = camCheck(fake, inputs, [lesion, lesion, empty]);
  assert.equal(result.n, 2, 'the lesion-free image is skipped');
  assert.equal(result.pointingHit, 0.5, "the first peak cell's centre (1, 1) is on the lesion");
  assert.equal(result.pointingTouch, 0.5);
  assert.equal(result.touchChance, 1 / 16);
  assert.equal(result.maskShare, 4 / 64);
  assert.equal(result.massInMask, (3 / 4 + 0) / 2);
});
