/** The page's pure trust helpers (static/page/heatmap-text.js, report.js, batch.js's sort) on hand-made inputs. */
import assert from 'node:assert/strict';
// @ts-types="./page-modules.d.ts"
import { BORDER, describeHeatmap, regionName, summariseHeatmap } from '../../static/page/heatmap-text.js';
// @ts-types="./page-modules.d.ts"
import { downloadName, RECORD_FIELDS, recordsCsv, resultRecord, sha256Hex } from '../../static/page/report.js';

// A 10 × 10 grid over a 100 × 100 image: each cell is 10 px, so the outer ring of cells is exactly the 10 % strips.
const grid = (values: number[]) => ({ rows: 10, cols: 10, cellWidth: 10, cellHeight: 10, values });
const one = (r: number, c: number, v = 1) => Array.from({ length: 100 }, (_, i) => (i === r * 10 + c ? v : 0));

Deno.test('heatmap summary: peak region and the border strips\' share of the weight', () => {
  const centre = summariseHeatmap(grid([]), one(5, 5), 100, 100);
  assert.equal(centre.region, 'centre');
  assert.equal(centre.peakInBorder, false);
  assert.equal(centre.borderShare, 0);
  assert.ok(Math.abs(centre.borderArea - 0.36) < 1e-12);
  const corner = summariseHeatmap(grid([]), one(0, 9), 100, 100);
  assert.equal(corner.region, 'upper right');
  assert.equal(corner.peakInBorder, true);
  assert.equal(corner.borderShare, 1);
  // A flat map puts the strips' area share in the strips.
  const flat = summariseHeatmap(grid([]), Array(100).fill(0.5), 100, 100);
  assert.ok(Math.abs(flat.borderShare - 0.36) < 1e-12);
  // Half the weight in a border cell, half inside: the peak decides the warning, the share is the mass.
  const mixed = one(9, 0, 1).map((v, i) => (i === 44 ? 0.99 : v));
  const m = summariseHeatmap(grid([]), mixed, 100, 100);
  assert.equal(m.region, 'lower left');
  assert.equal(m.peakInBorder, true);
  assert.ok(Math.abs(m.borderShare - 1 / 1.99) < 1e-12);
  assert.equal(summariseHeatmap(grid([]), Array(100).fill(0), 100, 100), null);
  assert.equal(BORDER, 0.1);
});

Deno.test('heatmap summary: cells that straddle the strips count only their part inside them', () => {
  // 4 × 4 cells of 25 px on 100 px: the strips are 10 px, so a corner cell has 25² − 15² px of 25² in them.
  const values = Array(16).fill(0);
  values[0] = 1;
  const s = summariseHeatmap({ rows: 4, cols: 4, cellWidth: 25, cellHeight: 25 }, values, 100, 100);
  assert.ok(Math.abs(s.borderShare - (625 - 225) / 625) < 1e-12);
  assert.equal(s.peakInBorder, false); // its centre (12.5, 12.5) lies inside the strips' inner edge
});

Deno.test('heatmap text names the region and the border share, and warns in words', () => {
  const text = describeHeatmap(summariseHeatmap(grid([]), one(0, 0), 100, 100), 'malignancy');
  assert.match(text, /^Strongest evidence for malignancy: upper left of the image, in the border strips\. 100 % of the heatmap lies in the outer 10 % border strips \(36 % of the image area\)\.$/);
  assert.match(describeHeatmap(null, 'benign'), /no evidence towards benign/);
  assert.deepEqual([regionName(0.5, 0.1), regionName(0.9, 0.5), regionName(0.1, 0.99)], ['upper centre', 'middle right', 'lower left']);
});

Deno.test('report: the record holds exactly the agreed fields; CSV quotes what needs it', async () => {
  const answer = {
    model: { name: 'm', version: '1.2.3' }, threshold: 0.2, decision: 'flagged', score: 0.31, probability: 0.4,
    tier: 'uncertain', classification: 'Uncertain', heatmap: { values: [1] }, image: { width: 9 }, roi: { x: 1, y: 2, width: 30, height: 40 },
  };
  const bytes = new TextEncoder().encode('abc');
  const sha256 = await sha256Hex(bytes.buffer);
  assert.equal(sha256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const time = new Date('2026-01-02T03:04:05.000Z');
  const record = resultRecord({ file: 'a, "b".png', sha256, answer, time });
  assert.deepEqual(Object.keys(record), RECORD_FIELDS);
  assert.deepEqual(record, {
    file: 'a, "b".png', sha256, modelVersion: 'm 1.2.3', threshold: 0.2, decision: 'flagged', score: 0.31,
    tier: 'uncertain', box: [1, 2, 30, 40], time: '2026-01-02T03:04:05.000Z',
  });
  assert.equal(resultRecord({ file: 'x.png', sha256, answer: { ...answer, roi: undefined }, time }).box, null);
  // When the threshold is on the calibrated scale, the record's score is the calibrated one (comparable with it).
  assert.equal(resultRecord({ file: 'x.png', sha256, answer: { ...answer, thresholdOn: 'probability' }, time }).score, 0.4);
  assert.equal(
    recordsCsv([record]),
    'file,sha256,modelVersion,threshold,decision,score,tier,box,time\r\n' +
      `"a, ""b"".png",${sha256},m 1.2.3,0.2,flagged,0.31,uncertain,1 2 30 40,2026-01-02T03:04:05.000Z\r\n`,
  );
  assert.equal(downloadName('benign (1).png', 'json'), 'benign (1).result.json');
  assert.equal(downloadName('noext', 'csv'), 'noext.result.csv');
});
