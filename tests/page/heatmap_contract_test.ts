import assert from 'node:assert/strict';
import { gradientPng, multipart } from '../fixtures/images.ts';
import { bundledPredictor, hasBundledModel, tinyPredictor } from '../fixtures/app.ts';
import { DEFAULT_LIMITS } from '../../src/config.ts';
import type { Predictor } from '../../src/predictor.ts';
import { testApp } from '../fixtures/app.ts';
import { DATA_DIR, hasData } from '../fixtures/data.ts';

/** Both sides of the map are on the same grid, in [0, 1], and never both positive in one cell. */
function checkSides(heatmap: { rows: number; cols: number; values: number[]; benignValues: number[] }) {
  const { rows, cols, values, benignValues } = heatmap;
  assert.equal(values.length, rows * cols);
  assert.equal(benignValues.length, rows * cols);
  for (const side of [values, benignValues]) {
    assert.ok(side.every((v) => v >= 0 && v <= 1));
    const max = Math.max(...side);
    assert.ok(max === 0 || max === 1, `each side is scaled to its own strongest cell, max ${max}`);
  }
  assert.ok(values.every((v, i) => v === 0 || benignValues[i] === 0), 'a cell is evidence for one side only');
}

Deno.test('explain=true returns evidence for and against malignancy on one grid (tiny model, HTTP)', async () => {
  const predictor = tinyPredictor();
  const { app } = testApp(predictor);
  await predictor;
  await new Promise((r) => setTimeout(r, 0));
  const res = await app.request('/predict?explain=true', { method: 'POST', body: multipart([{ name: 'image', bytes: await gradientPng() }]) });
  assert.equal(res.status, 200);
  checkSides((await res.json()).heatmap);
});

Deno.test({
  name: 'on real BUSI images the bundled model has evidence on both sides, and the sides differ',
  ignore: !hasData() || !(await hasBundledModel()),
  async fn() {
    const predictor: Predictor = await bundledPredictor();
    for (const file of ['benign/benign (1).png', 'malignant/malignant (1).png']) {
      const [result] = await predictor.predictMany([Deno.readFileSync(`${DATA_DIR}/busi/${file}`)], DEFAULT_LIMITS, true);
      assert.ok(!(result instanceof Error), String(result));
      const heatmap = result.heatmap!;
      checkSides(heatmap);
      assert.ok(heatmap.values.some((v) => v > 0) && heatmap.benignValues.some((v) => v > 0), `${file}: both sides present`);
    }
    predictor.classifier.dispose();
  },
});
