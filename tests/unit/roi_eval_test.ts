/** The pieces of `npm run evaluate -- --roi`: reference boxes, perturbations, the generated doc section. */
import assert from 'node:assert/strict';
import { maskBox, parseBboxCell } from '../../train/roi/boxes.ts';
import { perturbBox, scaleBox, shiftBox } from '../../train/roi/perturb.ts';
import { DOC_END, DOC_START, replaceSection, roiEvalMarkdown, type RoiEvalResults } from '../../train/roi/report.ts';

Deno.test('parseBboxCell reads the data sets\' "[x,y,w,h]" cells and refuses anything else', () => {
  assert.deepEqual(parseBboxCell('[74,20,84,64]'), { x: 74, y: 20, width: 84, height: 64 });
  assert.throws(() => parseBboxCell('[1,2,3]'));
  assert.throws(() => parseBboxCell('[1,2,3.5,4]'));
});

Deno.test('maskBox: union box of the bright pixels of several masks; null when all are empty', () => {
  const mask = (width: number, height: number, on: [number, number][], channels: 1 | 4 = 1) => {
    const data = new Uint8Array(width * height * channels);
    for (const [x, y] of on) data[(y * width + x) * channels] = 255;
    return { width, height, channels, data };
  };
  assert.deepEqual(maskBox([mask(10, 8, [[2, 3], [4, 5]])]), { x: 2, y: 3, width: 3, height: 3 });
  assert.deepEqual(maskBox([mask(10, 8, [[2, 3]]), mask(10, 8, [[7, 1]], 4)]), { x: 2, y: 1, width: 6, height: 3 });
  assert.equal(maskBox([mask(10, 8, [])]), null);
});

Deno.test('perturbations: ×1.30 and ×0.85 about the centre, a 10 % shift in the drawn direction', () => {
  const box = { x: 100, y: 50, width: 40, height: 20 };
  assert.deepEqual(scaleBox(box, 1.3), { x: 94, y: 47, width: 52, height: 26 });
  assert.deepEqual(perturbBox(box, 'shrunk15', Math.random), { x: 103, y: 52, width: 34, height: 17 });
  assert.deepEqual(shiftBox(box, 0.1, 0), { x: 104, y: 50, width: 40, height: 20 });
  assert.deepEqual(shiftBox(box, 0.1, Math.PI / 2), { x: 100, y: 52, width: 40, height: 20 });
  assert.deepEqual(perturbBox(box, 'shifted10', () => 0.5), { x: 96, y: 50, width: 40, height: 20 });
  assert.equal(perturbBox(box, 'given', Math.random), box);
});

Deno.test('the doc section is generated from the results and replaces only itself', () => {
  const auc = (v: number) => ({ auc: v, aucCi95: [v - 0.05, v + 0.05] as [number, number] });
  const results: RoiEvalResults = {
    command: 'npm run evaluate -- --roi',
    createdAt: '2026-11-30T12:00:00.000Z',
    model: { name: 'm', version: '9.9.9' },
    margin: 0.15,
    seed: 11,
    resamples: 2000,
    perturbations: { given: 'g', enlarged30: 'e', shrunk15: 's', shifted10: 'h' },
    sets: [{
      name: 'Set A',
      source: 'a: boxes',
      n: 10,
      positives: 4,
      excludedAsTraining: 3,
      whole: auc(0.7),
      box: {
        given: auc(0.8),
        enlarged30: { ...auc(0.79), deltaVsGiven: -0.01, deltaCi95: [-0.03, 0.01] },
        shrunk15: { ...auc(0.75), deltaVsGiven: -0.05, deltaCi95: [-0.09, -0.01] },
        shifted10: { ...auc(0.81), deltaVsGiven: 0.01, deltaCi95: [-0.01, 0.03] },
      },
    }],
  };
  const section = roiEvalMarkdown(results);
  assert.ok(section.startsWith(DOC_START) && section.endsWith(DOC_END));
  assert.match(section, /\| Set A \| 10 \(4\) \| 0\.700 \[0\.650, 0\.750\] \| 0\.800 \[0\.750, 0\.850\] \| 0\.790 \(−0\.010 \[-0\.030, 0\.010\]\)/);
  assert.match(section, /m 9\.9\.9/);
  assert.match(section, /3 images left out/);
  const doc = `# Title\n\nintro\n\n${DOC_START}\nold\n${DOC_END}\n\nafter\n`;
  const updated = replaceSection(doc, section);
  assert.ok(updated.startsWith('# Title\n\nintro\n\n') && updated.endsWith('\n\nafter\n'));
  assert.ok(!updated.includes('old'));
  assert.equal(replaceSection('# T\n', section), `# T\n\n${section}\n`);
});
