import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atThreshold, bootstrapCi, calibration, rocAuc, rocCurve, thresholdForSensitivity } from '../../train/eval/metrics.ts';

test('AUC matches hand-computed cases, ties count one half', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  // positives {0.5, 0.7}, negatives {0.5, 0.3}: pairs (0.5>0.3)=1, (0.5=0.5)=.5, (0.7>0.5)=1, (0.7>0.3)=1 → 3.5/4
  assert.equal(rocAuc([0.5, 0.7, 0.5, 0.3], [1, 1, 0, 0]), 0.875);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
});

test('confusion counts and rates at a threshold', () => {
  const m = atThreshold([0.1, 0.4, 0.6, 0.9, 0.35], [0, 1, 0, 1, 1], 0.4);
  assert.deepEqual({ tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn }, { tp: 2, fp: 1, tn: 1, fn: 1 });
  assert.equal(m.sensitivity, 2 / 3);
  assert.equal(m.specificity, 1 / 2);
  assert.equal(m.accuracy, 3 / 5);
});

test('threshold for a target sensitivity is the highest that reaches it', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.5, 0.3];
  const labels = [1, 1, 1, 1, 1, 0, 0];
  assert.equal(thresholdForSensitivity(scores, labels, 0.8), 0.6); // 4 of 5 positives ≥ 0.6
  assert.ok(atThreshold(scores, labels, 0.6).sensitivity >= 0.8);
  assert.ok(atThreshold(scores, labels, 0.61).sensitivity < 0.8);
});

test('ROC curve runs from (0,0) to (1,1)', () => {
  const points = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
  assert.deepEqual(points[0], { fpr: 0, tpr: 0, threshold: Infinity });
  assert.deepEqual({ fpr: points.at(-1)!.fpr, tpr: points.at(-1)!.tpr }, { fpr: 1, tpr: 1 });
});

test('expected calibration error of hand-made bins', () => {
  // bin [0.1,0.2): scores 0.15, 0.15 with one positive → |0.15 − 0.5| = 0.35, weight 2/4
  // bin [0.9,1.0): scores 0.95, 0.95 both positive → |0.95 − 1| = 0.05, weight 2/4
  const { ece } = calibration([0.15, 0.15, 0.95, 0.95], [0, 1, 1, 1]);
  assert.ok(Math.abs(ece - 0.2) < 1e-12);
});

test('bootstrap CI brackets the point estimate and narrows with more data', () => {
  const make = (n: number) => {
    const scores: number[] = [], labels: number[] = [];
    for (let i = 0; i < n; i++) {
      labels.push(i % 2);
      scores.push((i % 2) * 0.3 + ((i * 7919) % 100) / 100);
    }
    return { scores, labels };
  };
  const small = make(40), large = make(400);
  const [lo, hi] = bootstrapCi(small.scores, small.labels, rocAuc, { resamples: 500 });
  const auc = rocAuc(small.scores, small.labels);
  assert.ok(lo <= auc && auc <= hi, `${lo} ≤ ${auc} ≤ ${hi}`);
  const [lo2, hi2] = bootstrapCi(large.scores, large.labels, rocAuc, { resamples: 500 });
  assert.ok(hi2 - lo2 < hi - lo);
});
