import assert from 'node:assert/strict';
import { applyCalibration } from '../../src/model/calibration.ts';
import { confidenceTier, servedTiers, tierOf, TIERS } from '../../src/model/tiers.ts';

Deno.test('tiers follow the original thresholds (<0.1, <0.3 Benign; <0.5 Uncertain; <0.7, <0.9, ≤1 Malignant)', () => {
  const cases: [number, string, string][] = [
    [0, 'very_likely_benign', 'Benign'],
    [0.0999, 'very_likely_benign', 'Benign'],
    [0.1, 'likely_benign', 'Benign'],
    [0.2999, 'likely_benign', 'Benign'],
    [0.3, 'uncertain', 'Uncertain'],
    [0.4999, 'uncertain', 'Uncertain'],
    [0.5, 'possibly_malignant', 'Malignant'],
    [0.6999, 'possibly_malignant', 'Malignant'],
    [0.7, 'likely_malignant', 'Malignant'],
    [0.8999, 'likely_malignant', 'Malignant'],
    [0.9, 'very_likely_malignant', 'Malignant'],
    [1, 'very_likely_malignant', 'Malignant'],
  ];
  for (const [p, id, cls] of cases) {
    const tier = confidenceTier(p);
    assert.equal(tier.id, id, `p=${p}`);
    assert.equal(tier.classification, cls, `p=${p}`);
  }
});

Deno.test('every tier has its own description', () => {
  assert.equal(TIERS.length, 6);
  assert.equal(new Set(TIERS.map((t) => t.description)).size, 6);
});

Deno.test('probabilities outside [0, 1] are refused', () => {
  for (const p of [-0.01, 1.01, NaN]) assert.throws(() => confidenceTier(p), RangeError);
});

Deno.test('served tiers: no Benign tier at or above the threshold, for any threshold, with or without calibration', () => {
  const maps = [undefined, { method: 'platt', slope: 0.6, intercept: -0.9, fittedOn: 'v', n: 9 } as const, { method: 'platt', slope: 1.8, intercept: 1.2, fittedOn: 'v', n: 9 } as const];
  for (const calibration of maps) {
    for (const [threshold, scale] of [0.02, 0.1994, 0.35, 0.6, 0.97].flatMap((t) => [[t, 'score'], [t, 'probability']] as const)) {
      const tiers = servedTiers(threshold, calibration, scale);
      assert.deepEqual(tiers.map((t) => t.id), TIERS.map((t) => t.id));
      for (let i = 0; i <= 1000; i++) {
        const value = i / 1000;
        const tier = tierOf(value, tiers);
        const flagged = value >= threshold;
        assert.equal(tier.classification === 'Benign', !flagged, `t=${threshold} ${scale}=${value} → ${tier.id}`);
      }
      // Exactly at the threshold the image is flagged and not Benign; just below it, it is.
      assert.notEqual(tierOf(threshold, tiers).classification, 'Benign');
      assert.equal(tierOf(threshold - 1e-9, tiers).classification, 'Benign');
      // Bounds increase (ties only where a tier is empty) and end at 1.
      for (let i = 1; i < tiers.length; i++) assert.ok(tiers[i].below >= tiers[i - 1].below);
      assert.equal(tiers.at(-1)!.below, Infinity);
    }
  }
});

Deno.test('served tiers at the shipped kind of threshold (0.1994, no calibration): the issue-14 cases', () => {
  const tiers = servedTiers(0.1994);
  // BrEaST case001 scored 0.29: the original said "Benign · likely benign" while the threshold flagged it.
  assert.equal(confidenceTier(0.29).classification, 'Benign');
  assert.equal(tierOf(0.29, tiers).id, 'uncertain');
  assert.equal(tierOf(0.15, tiers).id, 'likely_benign');
  assert.equal(tierOf(0.05, tiers).id, 'very_likely_benign');
  assert.equal(tierOf(0.6, tiers).id, 'possibly_malignant');
  assert.equal(tierOf(0.95, tiers).id, 'very_likely_malignant');
  assert.equal(tierOf(1, tiers).id, 'very_likely_malignant');
  // Without calibration the probability bounds are the score bounds.
  assert.deepEqual(tiers.map((t) => t.belowProbability), [0.0997, 0.1994, 0.5, 0.7, 0.9, Infinity]);
  assert.throws(() => tierOf(1.5, tiers), RangeError);
});

Deno.test('served tiers with calibration: bounds are set on calibrated probability and mapped back to scores', () => {
  const calibration = { method: 'platt', slope: 0.7, intercept: -0.5, fittedOn: 'v', n: 9 } as const;
  const tiers = servedTiers(0.2, calibration, 'score');
  const t = applyCalibration(0.2, calibration);
  assert.equal(tiers[1].below, 0.2);
  assert.equal(tiers[1].belowScore, 0.2);
  assert.equal(tiers[1].belowProbability, t);
  for (const tier of tiers.slice(2, 5)) {
    assert.equal(tier.below, tier.belowScore);
    assert.ok(Math.abs(applyCalibration(tier.belowScore, calibration) - tier.belowProbability) < 1e-9, tier.id);
  }
  assert.equal(tiers[2].belowProbability, Math.max(0.5, t));
  // On the probability scale the threshold is t itself and the bounds are the probability bounds.
  const onP = servedTiers(0.3, calibration, 'probability');
  assert.deepEqual(onP.map((x) => x.below), [0.1, 0.3, 0.5, 0.7, 0.9, Infinity]);
  assert.ok(Math.abs(applyCalibration(onP[1].belowScore, calibration) - 0.3) < 1e-9);
});
