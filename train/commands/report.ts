/**
 * `npx tsx train/cli.ts report --model DIR`: scores a trained two-site model again through the serving path and
 * rewrites its card, plots, split.json and seen.bin (weights untouched). The split, the training history and the
 * leave-one-site-out results come from the model's own split.json and card.json; calibration and threshold are
 * fitted on validation again. For a card written by an older version of the report code. With --quantize (on
 * float32 weights only) the weights are quantised as the train command does, checked on validation.
 *   [--data DIR] [--quantize float32|float16|uint8]
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags } from '../args.ts';
import { readBreastLesions } from '../data/external.ts';
import type { Sample } from '../data/sample.ts';
import { readTrainingSites, SITE_FOLDERS } from '../data/sites.ts';
import { loadViews } from '../data/views.ts';
import { seededRandom } from '../random.ts';

/** Runs the report command. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, { model: { type: 'string' }, quantize: { type: 'string', default: 'float32' } });
  if (!args.model) throw new Error('--model DIR is required');
  const out = resolve(args.model);
  const started = Date.now();
  const log = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}\n`);
  const { evaluateAndWrite } = await import('../two-site/finish.ts');
  const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
  const recorded = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8')) as Record<'train' | 'val' | 'test', { site: 'busi' | 'busbra'; file: string }[]>;
  const byPath = new Map(readTrainingSites(args.data!).map((s) => [s.path, s]));
  const part = (name: 'train' | 'val' | 'test') => recorded[name].map((r) => {
    const sample = byPath.get(join(args.data!, SITE_FOLDERS[r.site], r.file));
    if (!sample) throw new Error(`split.json names ${r.site}/${r.file}, which is not in ${args.data}`);
    return sample;
  });
  const split = { train: part('train'), val: part('val'), test: part('test') };
  const samples = [...split.train, ...split.val, ...split.test];
  const index = new Map(samples.map((s, i) => [s.path, i]));
  const ids = (list: Sample[]) => list.map((s) => index.get(s.path)!);
  const flags = card.training.flags;
  const spec = { height: card.input.height, width: card.input.width, channels: 1 as const };
  const decoders = await loadNodeDecoders();
  const random = seededRandom(Number(flags.seed ?? 7));
  log(`decoding ${samples.length} images`);
  const views = await loadViews(samples, decoders, spec, 1, random);
  const breast = readBreastLesions(join(args.data!, SITE_FOLDERS.breast));
  await evaluateAndWrite({
    out,
    argv: card.training.command.replace(/^npm run train(?: -- )?/, '').split(' ').filter(Boolean),
    args: { ...flags, quantize: args.quantize },
    started: started - card.training.runtimeSeconds * 1000,
    parameters: card.architecture.parameters,
    trainerDescription: card.architecture.name,
    history: card.training.history,
    samples,
    split,
    views,
    labels: samples.map((s) => s.label),
    ids,
    leaveOneSiteOut: card.leaveOneSiteOut,
    weightFormat: args.quantize !== 'float32' ? undefined : `${card.architecture.weightFormat} (card re-reported ${new Date().toISOString().slice(0, 10)}; weights ${statSync(join(out, 'weights.bin')).size} bytes unchanged)`,
    breast,
    breastViews: await loadViews(breast, decoders, spec, 1, random),
    log,
  });
}
