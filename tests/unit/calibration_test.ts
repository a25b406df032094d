import assert from 'node:assert/strict';
import { applyCalibration, invertCalibration, logit, parseCalibration, sigmoid } from '../../src/model/calibration.ts';
import { parseModelCard } from '../../src/model/card.ts';
import { encodeSeen, hashPrefix, SeenSet } from '../../src/model/seen.ts';

const MAP = { method: 'platt', slope: 0.7, intercept: -0.4, fittedOn: 'validation', n: 98 } as const;

Deno.test('applyCalibration: identity without a map, sigmoid(slope·logit(p)+intercept) with one', () => {
  for (const p of [0, 0.01, 0.2, 0.5, 0.93, 1]) assert.equal(applyCalibration(p), p);
  assert.ok(Math.abs(applyCalibration(0.5, MAP) - sigmoid(-0.4)) < 1e-12);
  assert.ok(Math.abs(applyCalibration(0.8, MAP) - 1 / (1 + Math.exp(-(0.7 * Math.log(4) - 0.4)))) < 1e-12);
  // Increasing, finite at the ends, inverted by invertCalibration.
  let last = -1;
  for (let p = 0; p <= 1; p += 0.01) {
    const c = applyCalibration(p, MAP);
    assert.ok(c > last && c > 0 && c < 1);
    last = c;
    if (p > 0.001 && p < 0.999) assert.ok(Math.abs(invertCalibration(c, MAP) - p) < 1e-9, `p=${p}`);
  }
  assert.ok(Number.isFinite(logit(0)) && Number.isFinite(logit(1)));
});

Deno.test('parseCalibration and parseModelCard refuse a map that is not increasing or is incomplete', () => {
  const card = { name: 'm', version: '1', threshold: { value: 0.2 } };
  assert.equal(parseModelCard(card).calibration, undefined);
  assert.deepEqual(parseModelCard({ ...card, calibration: MAP }).calibration, MAP);
  for (
    const bad of [
      { ...MAP, method: 'isotonic' },
      { ...MAP, slope: 0 },
      { ...MAP, slope: -1 },
      { ...MAP, slope: Infinity },
      { ...MAP, intercept: NaN },
      { ...MAP, fittedOn: '' },
      { ...MAP, n: 0 },
      null,
    ]
  ) {
    assert.throws(() => parseCalibration(bad), /calibration/, JSON.stringify(bad));
    assert.throws(() => parseModelCard({ ...card, calibration: bad }), /calibration/);
  }
});

Deno.test('SeenSet finds exactly the encoded prefixes and refuses malformed files', async () => {
  const bytes = [1, 2, 3, 4, 5].map((i) => new TextEncoder().encode(`image ${i}`));
  const prefixes = await Promise.all(bytes.map(hashPrefix));
  const set = new SeenSet(encodeSeen([...prefixes.slice(0, 3), prefixes[0]]));
  assert.equal(set.size, 3);
  for (let i = 0; i < 5; i++) assert.equal(await set.contains(bytes[i]), i < 3, `image ${i + 1}`);
  assert.equal(new SeenSet(new Uint8Array(0)).has(1n), false);
  assert.throws(() => new SeenSet(new Uint8Array(12)), /8-byte entries/);
  const unsorted = encodeSeen([5n, 9n]).reverse();
  assert.throws(() => new SeenSet(unsorted), /sorted/);
});
