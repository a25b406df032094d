/**
 * A site-adapted model folder (npm run adapt) is served like any other (MODEL_DIR → readModelDir → createPredictor),
 * and GET /model says it is adapted. The folder is made by the real command (Node) on a few BrEaST images.
 */
import * as assert from 'node:assert/strict';
import { createPredictor } from '../../src/create-predictor.ts';
import { readModelDir } from '../../src/runtime/deno-model.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { ensureBackend, testApp, tinyPredictor } from '../fixtures/app.ts';
import { TINY_CARD } from '../fixtures/tiny-model.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BREAST = `${ROOT}../shared/data/breast-lesions-usg`;

Deno.test('GET /model summary carries the card\'s adaptation record', async () => {
  const adaptation = { method: 'AdaBN', images: 40, sourceModel: { name: 'source', version: '1.0.0' }, at: '2026-01-01T00:00:00.000Z' };
  const predictor = tinyPredictor({ ...TINY_CARD, adaptation });
  const { app } = testApp(predictor);
  await predictor; // /model answers 503 until the model is warm
  const card = await (await app.request('/model')).json();
  assert.deepEqual(card.adaptation, adaptation);
});

Deno.test('an adapted folder with local labels serves: /model shows adaptation, calibration and the local threshold; /predict answers', async () => {
  const dir = await Deno.makeTempDir({ prefix: 'adapted-serve-' });
  try {
    // Labels as a CSV of absolute paths (nothing copied); 8 of BrEaST's benign images for the statistics.
    const labelled = ['benign', 'malignant'].flatMap((cls) =>
      [...Deno.readDirSync(`${BREAST}/${cls}`)].map((e) => e.name).sort().slice(0, 4).map((name) => `${BREAST}/${cls}/${name},${cls}`)
    );
    await Deno.writeTextFile(`${dir}/labels.csv`, ['file,label', ...labelled].join('\n'));
    const out = `${dir}/model`;
    // --layers all: every batch norm re-estimated, the most an adapted folder can differ from the source. On these
    // few seeded images it still ranks the labels (adapt refuses a calibration that would reverse the scores).
    const run = await new Deno.Command('node', {
      args: ['--import', 'tsx', 'train/cli.ts', 'adapt', '--model', 'static/model', '--folder', `${BREAST}/benign`, '--max-images', '8',
        '--layers', 'all', '--out', out, '--backend', 'wasm', '--labels', `${dir}/labels.csv`],
      cwd: ROOT,
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));

    await ensureBackend();
    const { artifacts, card, seen } = await readModelDir(out);
    const predictor = createPredictor(artifacts, card, await loadDenoDecoders(), seen);
    const { app } = testApp(predictor);
    await predictor;
    const model = await (await app.request('/model')).json();
    assert.equal(model.adaptation.images, 8);
    assert.equal(model.adaptation.labels.malignant, 4);
    assert.match(model.adaptation.labels.warning, /fewer than 30/);
    assert.equal(model.serving.calibrated, true);
    assert.equal(model.threshold.value, (card as { threshold: { value: number } }).threshold.value);

    const form = new FormData();
    form.append('image', new Blob([await Deno.readFile(labelled[4].split(',')[0])], { type: 'image/png' }), 'x.png');
    const res = await app.request('/predict', { method: 'POST', body: form });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.threshold, model.threshold.value);
    assert.equal(body.model.version, model.version);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
