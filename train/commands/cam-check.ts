/**
 * tsx train/cli.ts cam-check --model DIR [--busi-split test|val|train] [--data DIR]: scores the model's heatmaps
 * against BUSI lesion masks with the pointing game of train/eval/heatmap.ts.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags } from '../args.ts';
import { readBusi } from '../data/busi.ts';
import { loadInputs } from '../data/load.ts';
import { loadMasks } from '../data/masks.ts';

const OPTIONS = {
  model: { type: 'string' },
  'busi-split': { type: 'string' },
} as const;

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Runs the cam-check command: heatmaps against BUSI lesion masks on one part of the model's recorded split. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, OPTIONS);
  const { useServingBackend, loadServingClassifier } = await import('../eval/serving.ts');
  const { camCheck } = await import('../eval/cam-check.ts');
  if (!args.model) throw new Error('--model DIR is required');
  const modelDir = resolve(args.model);
  await useServingBackend();
  const classifier = await loadServingClassifier(modelDir);
  const decoders = await loadNodeDecoders();
  const part = args['busi-split'] ?? 'test';
  const recorded = JSON.parse(readFileSync(join(modelDir, 'split.json'), 'utf8'))[part] as { file: string }[];
  const byFile = new Map(readBusi(join(args.data!, 'busi'), { includeNormal: true }).map((s) => [s.path, s]));
  const samples = recorded.map((r) => byFile.get(join(args.data!, 'busi', r.file))!).filter(Boolean);
  const inputs = loadInputs(samples, decoders, classifier.inputSpec);
  const masks = loadMasks(samples, decoders, classifier.inputSpec);
  for (const [name, keep] of [['all', () => true], ['malignant', (i: number) => samples[i].label === 1]] as const) {
    const picked = samples.map((_, i) => i).filter((i) => keep(i));
    const result = camCheck(classifier, picked.map((i) => inputs[i]), picked.map((i) => masks[i]));
    process.stdout.write(
      `BUSI ${part}, ${name}: ${result.n} images with a lesion; pointing game (strongest cell's centre on the lesion) ` +
        `${pct(result.pointingHit)} (chance ${pct(result.maskShare)}), lenient (the cell overlaps it) ${pct(result.pointingTouch)} ` +
        `(chance ${pct(result.touchChance)}); ${pct(result.massInMask)} of the positive heatmap mass on lesion pixels (chance ${pct(result.maskShare)})\n`,
    );
  }
  classifier.dispose();
}
