import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyCalibration, logit, sigmoid } from '../../src/model/calibration.ts';
import { SeenSet } from '../../src/model/seen.ts';
import { eceBeforeAfter, fitPlatt } from '../../train/calibration.ts';
import { seededRandom } from '../../train/random.ts';
import { trainingFiles, writeSeenFile } from '../../train/seen-hashes.ts';

/** Scores spread over (0, 1) with labels drawn from a known Platt map of them. */
function synthetic(n: number, slope: number, intercept: number, seed = 3) {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = sigmoid(6 * random() - 3);
    scores.push(s);
    labels.push(random() < sigmoid(slope * logit(s) + intercept) ? 1 : 0);
  }
  return { scores, labels };
}

test('fitPlatt recovers the map that generated the labels', () => {
  const { scores, labels } = synthetic(20_000, 0.6, -0.8);
  const fit = fitPlatt(scores, labels, { fittedOn: 'synthetic' });
  assert.equal(fit.method, 'platt');
  assert.equal(fit.fittedOn, 'synthetic');
  assert.equal(fit.n, 20_000);
  assert.ok(Math.abs(fit.slope - 0.6) < 0.05, `slope ${fit.slope}`);
  assert.ok(Math.abs(fit.intercept + 0.8) < 0.05, `intercept ${fit.intercept}`);
  // Calibrating over-confident scores lowers their ECE.
  const ece = eceBeforeAfter(scores, labels, fit);
  assert.ok(ece.calibrated < ece.raw / 3, JSON.stringify(ece));
  assert.ok(ece.calibrated < 0.02, JSON.stringify(ece));
});

test('fitPlatt is deterministic and leaves well-calibrated scores nearly alone', () => {
  const { scores, labels } = synthetic(5_000, 1, 0, 9);
  const a = fitPlatt(scores, labels);
  assert.deepEqual(fitPlatt(scores, labels), a);
  assert.ok(Math.abs(a.slope - 1) < 0.1 && Math.abs(a.intercept) < 0.1, JSON.stringify(a));
});

test('fitPlatt stays finite and increasing on perfectly separated data', () => {
  const fit = fitPlatt([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1]);
  assert.ok(Number.isFinite(fit.slope) && fit.slope > 0, `slope ${fit.slope}`);
  assert.ok(Number.isFinite(fit.intercept));
  assert.ok(applyCalibration(0.9, fit) > applyCalibration(0.1, fit));
  // Scores of exactly 0 and 1 (float32 saturation) do not break it.
  const edge = fitPlatt([0, 0, 1, 1], [0, 0, 1, 1]);
  assert.ok(Number.isFinite(edge.slope) && Number.isFinite(edge.intercept));
});

test('fitPlatt refuses mismatched input and scores that rank the set backwards', () => {
  assert.throws(() => fitPlatt([0.1, 0.2], [1]), /as many labels/);
  assert.throws(() => fitPlatt([], []), /as many labels/);
  assert.throws(() => fitPlatt([0.1, 0.9], [0, 2]), /0 or 1/);
  const { scores, labels } = synthetic(2_000, -1, 0);
  assert.throws(() => fitPlatt(scores, labels), /not positive/);
});

test('seen.bin: training files resolve under the roots, hash to sorted 8-byte prefixes, and match exact bytes only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seen-'));
  try {
    const files = ['a.png', 'b.png', 'c.png'].map((name, i) => {
      writeFileSync(join(dir, name), Buffer.from(`image ${i}`));
      return name;
    });
    writeFileSync(join(dir, 'copy.png'), Buffer.from('image 0')); // same bytes as a.png
    const split = { train: [...files, 'copy.png'].map((file) => ({ file })) };
    const exists = (p: string) => { try { readFileSync(p); return true; } catch { return false; } };
    const paths = trainingFiles(split, ['/nonexistent', dir], exists);
    assert.deepEqual(paths, [...files, 'copy.png'].map((f) => join(dir, f)));
    assert.throws(() => trainingFiles({ train: [{ file: 'gone.png' }] }, [dir], exists), /1 training files not found/);
    assert.throws(() => trainingFiles({}, [dir], exists), /no "train"/);
    const out = join(dir, 'seen.bin');
    assert.equal(await writeSeenFile(paths, out), 3);
    const bytes = new Uint8Array(readFileSync(out));
    assert.equal(bytes.length, 24);
    const set = new SeenSet(bytes);
    assert.equal(set.size, 3);
    assert.equal(await set.contains(new TextEncoder().encode('image 1')), true);
    assert.equal(await set.contains(new TextEncoder().encode('image 1 ')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
