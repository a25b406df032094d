/** Site adaptation (train/adapt/, npm run adapt): batch-norm statistics re-estimated on local images, written as a
 * model folder the serving Classifier loads. Runs on the WASM backend, so it needs no tfjs-node binding. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useAdaptBackend } from '../../train/adapt/backend.ts';
import { adaptBatchNorm, batchNormLayers } from '../../train/adapt/batch-norm.ts';
import { loadLocalInputs } from '../../train/adapt/images.ts';
import { type LocalLabel, readLocalLabels } from '../../train/adapt/labels.ts';
import { loadLayersModelDir, writeAdaptedDir } from '../../train/adapt/model-dir.ts';
import { pairedAuc, splitHalf } from '../../train/adapt/site-eval.ts';
import { atThreshold } from '../../train/eval/metrics.ts';
import { quantizeModelDir } from '../../train/quantize.ts';
import { seededRandom } from '../../train/random.ts';
import { parseModelCard } from '../../src/model/card.ts';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { loadServingClassifier } from '../../train/eval/serving.ts';
import { mobileNetLike, saveModelDir, siteImages } from './helpers/bn-models.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BREAST = resolve(ROOT, '../shared/data/breast-lesions-usg');
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'adapt-'));
  await useAdaptBackend('wasm');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function weightBytes(folder: string): Map<string, Buffer> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const data = readFileSync(join(folder, 'weights.bin'));
  const out = new Map<string, Buffer>();
  let at = 0;
  for (const w of json.weightsManifest[0].weights) {
    const bytes = w.shape.reduce((a: number, b: number) => a * b, 1) * ({ float16: 2, uint8: 1 }[w.quantization?.dtype as string] ?? 4);
    out.set(w.name, data.subarray(at, at + bytes));
    at += bytes;
  }
  return out;
}

function hashTree(folder: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(folder).sort()) hash.update(name).update(readFileSync(join(folder, name)));
  return hash.digest('hex');
}

test('MobileNetV2-like model (frozen BN, residual adds, BN after Dense), layerwise method: adapted statistics are those of each layer\'s input', async () => {
  const size = 32;
  const source = join(dir, 'mnv2');
  const built = mobileNetLike(size);
  await saveModelDir(built, source, { name: 'mnv2-like', version: '0.0.1', threshold: { value: 0.5 } });
  built.dispose();
  quantizeModelDir(source, 'float16');
  const inputs = siteImages(40, size, 3);
  const batch = () => tf.tensor4d(Float32Array.from(inputs.flatMap((x) => Array.from(x))), [inputs.length, size, size, 3]);

  const model = await loadLayersModelDir(source);
  assert.equal(batchNormLayers(model).length, 12);
  const shifts = adaptBatchNorm(model, inputs, { batchSize: 7, method: 'layerwise' });
  assert.equal(shifts.length, 12);
  assert.ok(shifts.every((s) => s.meanShift > 0), 'every layer moved');

  // Independent check: an unadapted copy run in training mode normalises each layer with the batch statistics of
  // all 40 images; the adapted model at inference must give the same features (same statistics, layer by layer).
  const reference = await loadLayersModelDir(source);
  const gapOf = (m: tfl.LayersModel, training: boolean) => tf.tidy(() => {
    const view = tfl.model({ inputs: m.inputs, outputs: m.getLayer('gap').output as tfl.SymbolicTensor });
    return (training ? view.apply(batch(), { training: true }) : view.predict(batch())) as tf.Tensor;
  });
  const expected = gapOf(reference, true);
  const actual = gapOf(model, false);
  const gapDiff = tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0];
  const gapScale = tf.max(tf.abs(expected)).dataSync()[0];
  assert.ok(gapDiff < 1e-3 * gapScale, `gap features differ by ${gapDiff} (scale ${gapScale})`);
  const unadapted = await loadLayersModelDir(source);
  const before = gapOf(unadapted, false);
  assert.ok(tf.max(tf.abs(tf.sub(before, actual))).dataSync()[0] > 10 * gapDiff, 'adaptation changed the features');
  tf.dispose([expected, actual, before]);
  reference.dispose();
  unadapted.dispose();

  // The rank-2 BN after the Dense layer: unbiased per-unit variance of its input over the 40 images.
  const fcInput = tf.tidy(() => tfl.model({ inputs: model.inputs, outputs: model.getLayer('fc').output as tfl.SymbolicTensor }).predict(batch()) as tf.Tensor);
  const { mean, variance } = tf.moments(fcInput, 0);
  const [, , movingMean, movingVar] = model.getLayer('fc_BN').getWeights();
  assert.ok(tf.max(tf.abs(tf.sub(mean, movingMean))).dataSync()[0] < 1e-4);
  const unbiased = tf.mul(variance, 40 / 39);
  assert.ok(tf.max(tf.abs(tf.sub(tf.div(movingVar, unbiased), 1))).dataSync()[0] < 1e-3);
  tf.dispose([fcInput, mean, variance, unbiased]);

  const layersScores = Array.from((model.predict(batch()) as tf.Tensor).dataSync());
  const out = join(dir, 'mnv2-adapted');
  await writeAdaptedDir(source, out, model, { name: 'mnv2-like', version: '0.0.1', threshold: { value: 0.5 }, adaptation: { method: 'test' } });
  model.dispose();
  await assert.rejects(writeAdaptedDir(source, source, model, {}), /never overwritten/);
  await assert.rejects(writeAdaptedDir(source, out, model, {}), /already holds a model/);

  // Same topology and storage format (float16); only moving statistics changed.
  const src = JSON.parse(readFileSync(join(source, 'model.json'), 'utf8'));
  const dst = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(dst.modelTopology, src.modelTopology);
  assert.deepEqual(dst.weightsManifest, src.weightsManifest);
  const [a, b] = [weightBytes(source), weightBytes(out)];
  for (const [name, bytes] of a) {
    const moving = /moving_(mean|variance)$/.test(name);
    assert.equal(bytes.equals(b.get(name)!), !moving, `${name} ${moving ? 'should have changed' : 'changed'}`);
  }

  // The serving Classifier (batch norm folded) loads it and agrees with the adapted layers model.
  const classifier = await loadServingClassifier(out);
  const served = classifier.classify(inputs);
  classifier.dispose();
  const sourceClassifier = await loadServingClassifier(source);
  const unadaptedScores = sourceClassifier.classify(inputs);
  sourceClassifier.dispose();
  const maxDelta = Math.max(...served.map((p, i) => Math.abs(p - layersScores[i])));
  assert.ok(maxDelta < 5e-3, `serving vs layers model: max |Δp| ${maxDelta}`);
  assert.ok(Math.max(...served.map((p, i) => Math.abs(p - unadaptedScores[i]))) > 10 * maxDelta, 'adaptation changed the scores');
});

test('npm run adapt on the shipped model and a few BrEaST images: new folder, card records it, static/model untouched, no file names printed', { timeout: 900_000 }, async () => {
  const folder = join(dir, 'site');
  mkdirSync(join(folder, 'scans'), { recursive: true });
  const names = readdirSync(join(BREAST, 'benign')).slice(0, 6).map((f) => join('benign', f))
    .concat(readdirSync(join(BREAST, 'malignant')).slice(0, 6).map((f) => join('malignant', f)));
  // Links, not copies: the test itself does not duplicate the data.
  names.forEach((n, i) => symlinkSync(join(BREAST, n), join(folder, i % 2 ? 'scans' : '', `img${i}.png`)));
  writeFileSync(join(folder, 'notes.txt'), 'not an image');
  const staticBefore = hashTree(join(ROOT, 'static/model'));
  const out = join(dir, 'adapted');
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'adapt', '--model', 'static/model', '--folder', folder, '--out', out, '--backend', 'wasm'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(hashTree(join(ROOT, 'static/model')), staticBefore);
  // Model files only (seen.bin: the source's training-image hash prefixes, when it has them); no image copied.
  const expected = ['card.json', 'model.json', 'weights.bin', ...(existsSync(join(ROOT, 'static/model/seen.bin')) ? ['seen.bin'] : [])];
  assert.deepEqual(readdirSync(out).sort(), expected.sort());
  assert.ok(!/case\d|img\d/.test(output), 'no image file names on stdout');
  const staticCard = JSON.parse(readFileSync(join(ROOT, 'static/model/card.json'), 'utf8'));
  const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
  assert.equal(card.adaptation.images, 12);
  assert.equal(card.adaptation.skippedFiles, 1);
  assert.deepEqual(card.adaptation.sourceModel, { name: staticCard.name, version: staticCard.version });
  assert.ok(Date.parse(card.adaptation.at) > 0);
  assert.deepEqual(card.threshold, staticCard.threshold);
  // The input gate is tied to the source weights' fingerprint: not copied, and the card says why.
  if (existsSync(join(ROOT, 'static/model/gate.json'))) assert.match(card.adaptation.inputGate, /not carried over/);
  const [a, b] = [weightBytes(join(ROOT, 'static/model')), weightBytes(out)];
  const changed = [...a].filter(([name, bytes]) => !bytes.equals(b.get(name)!)).map(([name]) => name);
  assert.ok(changed.length > 0 && changed.every((n) => /moving_(mean|variance)$/.test(n)), `changed: ${changed.join(', ')}`);
  const classifier = await loadServingClassifier(out);
  assert.equal(classifier.classify([new Float32Array(classifier.inputSpec.height * classifier.inputSpec.width * classifier.inputSpec.channels)]).length, 1);
  classifier.dispose();
});

test('local labels from a CSV: paths relative to the folder, benign|malignant|0|1, bad rows named', () => {
  const csv = join(dir, 'labels.csv');
  writeFileSync(csv, 'file,label\na.png,malignant\nsub/b.png,0\n/abs/c.png,Benign\n');
  assert.deepEqual(readLocalLabels('/site', csv), [
    { path: '/site/a.png', label: 1 },
    { path: '/site/sub/b.png', label: 0 },
    { path: '/abs/c.png', label: 0 },
  ]);
  writeFileSync(csv, 'file,label\na.png,unsure\n');
  assert.throws(() => readLocalLabels('/site', csv), /row 2/);
});

/** benign/ and malignant/ folders of links to BrEaST images [start, end) of each class, and their labels. */
function labelledFolder(name: string, start: number, end: number): { folder: string; picks: LocalLabel[] } {
  const folder = join(dir, name);
  const picks: LocalLabel[] = [];
  for (const cls of ['benign', 'malignant'] as const) {
    mkdirSync(join(folder, cls), { recursive: true });
    for (const f of readdirSync(join(BREAST, cls)).slice(start, end)) {
      symlinkSync(join(BREAST, cls, f), join(folder, cls, f));
      picks.push({ path: join(folder, cls, f), label: cls === 'malignant' ? 1 : 0 });
    }
  }
  return { folder, picks };
}

test('npm run adapt --labels (class folders): threshold for the target sensitivity, Platt calibration, CIs and a small-set warning', { timeout: 900_000 }, async () => {
  const { folder, picks } = labelledFolder('labelled', 10, 20);
  const out = join(dir, 'adapted-labelled');
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'adapt', '--model', 'static/model', '--folder', folder, '--out', out, '--backend', 'wasm', '--labels', '--sensitivity', '0.8'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
  parseModelCard(card); // the server would accept it (threshold in (0, 1), a valid calibration)
  const staticCard = JSON.parse(readFileSync(join(ROOT, 'static/model/card.json'), 'utf8'));
  assert.equal(card.threshold.sourceModelValue, staticCard.threshold.value);
  assert.equal(card.calibration.method, 'platt');
  assert.equal(card.calibration.n, 20);
  const labels = card.adaptation.labels;
  assert.equal(labels.malignant, 10);
  assert.equal(labels.benign, 10);
  assert.equal(labels.threshold.value, card.threshold.value);
  for (const key of ['sensitivityCi95', 'specificityCi95', 'aucCi95']) assert.ok(labels[key][0] <= labels[key][1]);
  assert.ok(labels.threshold.ci95[0] <= labels.threshold.value && labels.threshold.value <= labels.threshold.ci95[1]);
  assert.match(labels.warning, /fewer than 30/);
  assert.match(output, /WARNING: .*fewer than 30/);
  // The threshold holds on the adapted model as the server scores these images.
  const m = await servedAtThreshold(out, picks, card.threshold.value);
  assert.ok(m.sensitivity >= 0.8, `sensitivity ${m.sensitivity}`);
  assert.equal(m.sensitivity, labels.sensitivity);
  assert.equal(m.specificity, labels.specificity);
});

/** Sensitivity and specificity of a written model folder at `threshold`, scored as the server scores `picks`. */
async function servedAtThreshold(out: string, picks: { path: string; label: number }[], threshold: number) {
  const classifier = await loadServingClassifier(out);
  const { inputs } = await loadLocalInputs(picks.map((p) => p.path), await loadNodeDecoders(), classifier.inputSpec);
  const scores = classifier.classify(inputs);
  classifier.dispose();
  return atThreshold(scores, picks.map((p) => p.label), threshold);
}

test('npm run adapt --layers none --labels: every weight as in the source, only threshold and calibration set; without --labels refused', { timeout: 900_000 }, async () => {
  const { folder, picks } = labelledFolder('labelled-none', 20, 30);
  const cli = (out: string, extra: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'train/cli.ts', 'adapt', '--model', 'static/model', '--folder', folder, '--out', out, '--backend', 'wasm', '--layers', 'none', ...extra], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.throws(() => cli(join(dir, 'none-unlabelled'), []), /changes nothing without --labels/);
  const out = join(dir, 'none-labelled');
  cli(out, ['--labels', '--sensitivity', '0.8']);
  const [a, b] = [weightBytes(join(ROOT, 'static/model')), weightBytes(out)];
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} changed`);
  const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
  parseModelCard(card);
  assert.match(card.adaptation.method, /^none/);
  assert.equal(card.adaptation.images, 0);
  assert.equal(card.adaptation.shift, undefined);
  assert.equal(card.calibration.n, 20);
  const m = await servedAtThreshold(out, picks, card.threshold.value);
  assert.ok(m.sensitivity >= 0.8, `sensitivity ${m.sensitivity}`);
  assert.equal(m.specificity, card.adaptation.labels.specificity);
});

test('evaluation helpers: paired AUC difference and a threshold/calibration fitted on one half, scored on the other', () => {
  const random = seededRandom(9);
  const labels = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const noisy = labels.map((l) => Math.min(0.99, Math.max(0.01, 0.4 + 0.15 * l + 0.6 * (random() - 0.5))));
  const same = pairedAuc(noisy, noisy, labels, { resamples: 200 });
  assert.equal(same.difference.auc, 0);
  assert.deepEqual(same.difference.ci95, [0, 0]);
  const perfect = labels.map((l) => (l ? 0.9 : 0.1));
  const better = pairedAuc(noisy, perfect, labels, { resamples: 200 });
  assert.equal(better.after.auc, 1);
  assert.ok(better.before.auc < 0.9, `overlapping scores: AUC ${better.before.auc}`);
  assert.ok(Math.abs(better.difference.auc - (1 - better.before.auc)) < 1e-12);
  assert.ok(better.difference.ci95[0] > 0, `difference CI ${better.difference.ci95}`);
  const half = splitHalf({ scores: noisy, labels }, { scores: noisy, labels }, 0.9);
  assert.ok(half.localThreshold.sensitivity >= 0.9);
  assert.ok(half.calibration.eceCalibrated < half.calibration.eceRaw, 'Platt fitted on the same scores lowers their ECE');
});
