/** A tiny end-to-end training run (seconds): the CLI trains on a few BUSI images and writes a model that the
 * serving Classifier loads. Skipped when tfjs-node's binding is not built (scripts/install-tfjs-node-offline.sh). */
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { bindingMissing } from './helpers/binding.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = process.env.DATA_DIR ?? resolve(ROOT, '../shared/data');

const skip = bindingMissing() || (existsSync(`${DATA}/busi/manifest.csv`) ? false : `needs ${DATA}`);

test('two-site training (tiny, with the lesion-mask loss): leave-one-site-out models kept, box views, a servable model and its card', { skip: skip || (existsSync(`${DATA}/bus-bra/manifest.csv`) ? false : `needs ${DATA}/bus-bra`), timeout: 600_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'two-site-train-'));
  // Outside `out`: the train command replaces the output folder when it writes the final model.
  const loso = mkdtempSync(join(tmpdir(), 'two-site-loso-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'train', '--limit', '60', '--epochs', '1', '--augs', '1', '--quantize', 'float32', '--lesion-weight', '1', '--save-loso', loso, '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATA_DIR: DATA },
    });
    for (const file of ['model.json', 'weights.bin', 'card.json', 'card.md', 'split.json', 'seen.bin', 'training.svg', 'roc.svg', 'reliability.svg']) {
      assert.ok(existsSync(join(out, file)), file);
    }
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
    assert.deepEqual(Object.keys(card.leaveOneSiteOut).sort(), ['busbraToBusi', 'busiToBusbra']);
    for (const direction of ['busbraToBusi', 'busiToBusbra']) assert.ok(existsSync(join(loso, direction, 'model.json')), direction);
    assert.match(card.architecture.name, /lesion-mask loss \(weight 1\)/);
    // The lesion head exists in training only: the served graph ends at `prediction`.
    assert.ok(!readFileSync(join(out, 'model.json'), 'utf8').includes('"name":"lesion"'));
    for (const key of ['validation', 'busiTest', 'busbraTest', 'external', 'externalBox']) assert.ok(card.metrics[key].n > 0, key);
    assert.equal(card.calibration.method, 'platt');
    assert.ok(card.threshold.value > 0 && card.threshold.value < 1);
    assert.match(card.architecture.pretrained, /nsfwjs 4\.4\.0/);
    assert.match(readFileSync(join(out, 'card.md'), 'utf8'), /Not a medical device/);
    // The card states the recipe the run used (its JSON, not only the flags), with no blank field.
    assert.deepEqual([card.training.seed, card.training.batchSize, card.training.patience], [7, 32, 8]);
    assert.match(card.training.augmentation, /^1 augmented view per image/);
    assert.doesNotMatch(readFileSync(join(out, 'card.md'), 'utf8'), /\bundefined\b|\bNaN\b/);
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
    const groups = (part: string) => new Set(split[part].map((s: { site: string; group: string }) => `${s.site}:${s.group}`));
    for (const g of groups('test')) assert.ok(!groups('train').has(g), `group ${g} leaked into training`);
    for (const g of groups('val')) assert.ok(!groups('train').has(g), `group ${g} leaked into training`);
    assert.deepEqual([...new Set(split.train.map((s: { site: string }) => s.site))].sort(), ['busbra', 'busi']);

    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const { loadServingClassifier } = await import('../../train/eval/serving.ts');
    const classifier = await loadServingClassifier(out);
    assert.deepEqual(classifier.inputSpec, { height: card.input.height, width: card.input.width, channels: 1 });
    assert.ok(classifier.explainable, 'the model exposes cam_features and prediction');
    const [p] = classifier.classify([new Float32Array(card.input.height * card.input.width).fill(0.5)]);
    assert.ok(p >= 0 && p <= 1);
    classifier.dispose();
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(loso, { recursive: true, force: true });
  }
});

test('BUSI-only training (the previous recipe, --busi-only) still writes an edge model', { skip, timeout: 300_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tiny-train-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'train', '--busi-only', '--limit', '40', '--epochs', '2', '--out', out, '--quantize', 'float16', '--ensemble', '2', '--lesion-weight', '1'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATA_DIR: DATA },
    });
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
    assert.equal(card.input.height, 128);
    assert.equal(card.training.members, 2, 'two members packed into one model');
    assert.match(card.training.lesionLoss, /lesion-mask loss/);
    assert.ok(card.metrics.busiTest.aucCi95[0] <= card.metrics.busiTest.auc);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('training on a class-folder tree (your own images) writes a loadable model and a per-file split', { skip, timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'folder-data-'));
  const out = join(root, 'model');
  try {
    // 12 benign and 8 malignant BUSI files, copied to a temporary Keras-style tree outside the project.
    for (const [cls, n] of [['benign', 12], ['malignant', 8]] as const) {
      mkdirSync(join(root, 'data', cls), { recursive: true });
      for (let i = 1; i <= n; i++) copyFileSync(join(DATA, 'busi', cls, `${cls} (${i}).png`), join(root, 'data', cls, `${i}.png`));
    }
    execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'train', '--folder', join(root, 'data'), '--epochs', '1', '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
    assert.match(card.data.description, /Class folders/);
    assert.equal(card.metrics.external, undefined, 'no external set for a folder run');
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
    assert.equal(split.train.length + split.val.length + split.test.length, 20);
    assert.ok(split.test.some((s: { label: number }) => s.label === 1), 'stratified: malignant files in test');
    const { loadServingClassifier } = await import('../../train/eval/serving.ts');
    const classifier = await loadServingClassifier(out);
    assert.deepEqual(classifier.inputSpec, { height: 128, width: 128, channels: 1 });
    classifier.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the seed architecture (the original Keras model) builds and trains a step', { skip: bindingMissing(), timeout: 120_000 }, async () => {
  const tf = await import('@tensorflow/tfjs-node');
  const { buildSeed } = await import('../../train/architectures.ts');
  await tf.setBackend('tensorflow'); // an earlier test may have switched this process to the serving backend
  const model = buildSeed(1);
  assert.equal(model.countParams(), 43_674_817); // ~175 MB of float32 weights, as the original
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const x = tf.randomUniform([2, 299, 299, 3]);
  const y = tf.tensor2d([0, 1], [2, 1]);
  const loss = await model.trainOnBatch(x, y);
  assert.ok(Number.isFinite(loss as number));
  tf.dispose([x, y]);
  model.dispose();
});
