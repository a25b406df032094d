import assert from 'node:assert/strict';
import { confidenceTier, TIERS } from '../../src/model/tiers.ts';

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
