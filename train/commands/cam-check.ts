/**
 * tsx train/cli.ts cam-check --model DIR [--part test|val|train] [--external] [--json FILE] [--data DIR]: scores the
 * model's heatmaps against expert lesion masks, per site, with the pointing game of train/eval/heatmap.ts. The images
 * are the given part of the model's recorded split (split.json; entries name their site, BUSI-only splits do not),
 * plus BrEaST with --external.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags } from '../args.ts';
import { readBusi } from '../data/busi.ts';
import { readBreastLesions } from '../data/external.ts';
import { loadInputs } from '../data/load.ts';
import { loadMasks } from '../data/masks.ts';
import type { Sample } from '../data/sample.ts';
import { readTrainingSites, SITE_FOLDERS } from '../data/sites.ts';
import { writeJson } from '../write-json.ts';

const OPTIONS = {
  model: { type: 'string' },
  part: { type: 'string', default: 'test' },
  'busi-split': { type: 'string' },
  external: { type: 'boolean', default: false },
  json: { type: 'string' },
} as const;

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Runs the cam-check command. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, OPTIONS);
  const { useServingBackend, loadServingClassifier } = await import('../eval/serving.ts');
  const { camCheck } = await import('../eval/cam-check.ts');
  if (!args.model) throw new Error('--model DIR is required');
  const modelDir = resolve(args.model);
  await useServingBackend();
  const classifier = await loadServingClassifier(modelDir);
  const decoders = await loadNodeDecoders();
  const part = args['busi-split'] ?? args.part!;
  const recorded = JSON.parse(readFileSync(join(modelDir, 'split.json'), 'utf8'))[part] as { file: string; site?: string }[];
  const known = [...readTrainingSites(args.data!), ...readBusi(join(args.data!, SITE_FOLDERS.busi), { includeNormal: true }).map((s) => ({ ...s, site: 'busi' }))];
  const byFile = new Map(known.map((s) => [s.path, s]));
  const find = (r: { file: string; site?: string }) => byFile.get(join(args.data!, SITE_FOLDERS[(r.site ?? 'busi') as 'busi'], r.file));
  const sets: Record<string, Sample[]> = {};
  for (const s of recorded.map(find).filter((s): s is Sample => s !== undefined)) (sets[`${s.site}_${part}`] ??= []).push(s);
  if (args.external) sets.breast_external = readBreastLesions(join(args.data!, SITE_FOLDERS.breast));
  const results: Record<string, Record<string, unknown>> = {};
  for (const [setName, samples] of Object.entries(sets)) {
    const inputs = await loadInputs(samples, decoders, classifier.inputSpec);
    const masks = await loadMasks(samples, decoders, classifier.inputSpec);
    for (const [name, keep] of [['all', () => true], ['malignant', (i: number) => samples[i].label === 1]] as const) {
      const picked = samples.map((_, i) => i).filter((i) => keep(i));
      const result = camCheck(classifier, picked.map((i) => inputs[i]), picked.map((i) => masks[i]));
      (results[setName] ??= {})[name] = result;
      process.stdout.write(
        `${setName}, ${name}: ${result.n} images with a lesion; pointing game (strongest cell's centre on the lesion) ` +
          `${pct(result.pointingHit)} (chance ${pct(result.maskShare)}), lenient (the cell overlaps it) ${pct(result.pointingTouch)} ` +
          `(chance ${pct(result.touchChance)}); ${pct(result.massInMask)} of the positive heatmap mass on lesion pixels (chance ${pct(result.maskShare)})\n`,
      );
    }
  }
  if (args.json) writeJson(resolve(args.json), { command: `npx tsx train/cli.ts cam-check ${argv.join(' ')}`, model: modelDir, results });
  classifier.dispose();
}
