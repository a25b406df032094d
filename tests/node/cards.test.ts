import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { renderCard } from '../../train/render-card.ts';
import { recipeOf } from '../../train/two-site/recipe.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The shipped card and every committed candidate's card that has its Markdown beside it.
const FOLDERS = [
  'static/model',
  ...readdirSync(join(ROOT, 'train/results'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'train/results', e.name, 'card.md')))
    .map((e) => `train/results/${e.name}`),
];

for (const folder of FOLDERS) {
  test(`${folder}/card.md is what its card.json renders to, with no field left blank`, () => {
    const card = JSON.parse(readFileSync(join(ROOT, folder, 'card.json'), 'utf8'));
    const markdown = renderCard(card);
    assert.doesNotMatch(markdown, /\bundefined\b|\bNaN\b|\[object Object\]/);
    assert.equal(
      readFileSync(join(ROOT, folder, 'card.md'), 'utf8'),
      markdown,
      `rewrite it: npx tsx train/cli.ts card --model ${folder}`,
    );
  });
}

test('a two-site card states the recipe its flags ran, the edge CNN at its own learning rate', () => {
  const flags = {
    arch: 'mnv2',
    seed: '7',
    'batch-size': '32',
    'learning-rate': '0.0005',
    patience: '8',
    augs: '4',
  };
  const mnv2 = recipeOf(flags);
  assert.deepEqual([mnv2.seed, mnv2.batchSize, mnv2.learningRate, mnv2.patience], [7, 32, 0.0005, 8]);
  assert.match(
    mnv2.augmentation,
    /^4 augmented views per image.*30% area crop.*lesion-box views \(random view from a 70% area crop/,
  );
  const edge = recipeOf({ ...flags, arch: 'edge' });
  assert.equal(edge.learningRate, 0.002);
  assert.match(edge.augmentation, /on the fly/);
});
