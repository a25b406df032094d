/**
 * A guard on the bundled model's explanations, on its held-out test split: the heatmap the page shows first must
 * favour the lesion over a uniform map and must not favour the border strips where calipers and text are burned
 * in. (The full report with intervals and a centre-prior baseline: scripts/heatmap-eval.ts.)
 */
import assert from 'node:assert/strict';
import { readCsv } from '../../train/data/csv.ts';
import { scoreImages } from '../../train/eval/score-images.ts';
import { bundledPredictor, hasBundledModel } from '../fixtures/app.ts';
import { DATA_DIR, hasData } from '../fixtures/data.ts';

const SPLIT = new URL('../../static/model/split.json', import.meta.url);
const hasSplit = (() => {
  try {
    return Deno.statSync(SPLIT).isFile;
  } catch {
    return false;
  }
})();
const ready = hasData() && (await hasBundledModel()) && hasSplit;
if (!ready) console.warn('skipping the heatmap quality guard: it needs static/model (with split.json) and the BUSI data');

Deno.test({ name: "the page's first heatmap view points at lesions above chance and not at the borders", ignore: !ready }, async () => {
  const predictor = await bundledPredictor();
  const manifest = new Map(readCsv(`${DATA_DIR}/busi/manifest.csv`).map((r) => [r.file, r]));
  // The BUSI images of the test split (a two-site split names each entry's site; BUSI's masks are read here).
  const test = (JSON.parse(Deno.readTextFileSync(SPLIT)).test as { file: string; site?: string }[]).filter((e) => (e.site ?? 'busi') === 'busi').map(({ file }) => {
    const row = manifest.get(file)!;
    return { file, label: row.label, masks: row.masks };
  });
  const { rows } = await scoreImages(predictor, test, `${DATA_DIR}/busi`);
  predictor.classifier.dispose();
  assert.ok(rows.length >= 30, `only ${rows.length} held-out images with masks`);
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const shown = (r: (typeof rows)[number]) => r.maps.pageDefault;
  const massInMask = mean((r) => (Number.isFinite(shown(r).massInMask) ? shown(r).massInMask : 0));
  const lesionShare = mean((r) => shown(r).maskShare);
  const touch = mean((r) => +shown(r).pointingTouch);
  const touchChance = mean((r) => shown(r).touchChance);
  const massInBorder = mean((r) => (Number.isFinite(shown(r).massInBorder) ? shown(r).massInBorder : 0));
  const borderShare = mean((r) => shown(r).borderShare);
  const report = JSON.stringify({ massInMask, lesionShare, touch, touchChance, massInBorder, borderShare });
  assert.ok(massInMask > lesionShare, `heatmap mass on lesions is at or below chance: ${report}`);
  assert.ok(touch > touchChance, `the strongest cell finds lesions no better than chance: ${report}`);
  assert.ok(massInBorder < borderShare, `the heatmap favours the border strips (calipers, text): ${report}`);
});
