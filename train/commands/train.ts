/**
 * `npm run train -- [flags]` (tsx train/cli.ts train): the shipped model. Trains on BUSI + BUS-BRA (split by
 * near-duplicate group and by patient), runs leave-one-site-out as the recipe signal, then scores the saved model
 * through the serving code on WASM and writes model.json, weights, card.json/card.md, split.json, seen.bin, plots.
 *   [--data DIR] [--out DIR] [--arch mnv2|edge] [--size PX] [--stem-cut LAYER] [--cut LAYER] [--head N] [--augs N]
 *   [--epochs N] [--patience N] [--learning-rate LR] [--seed N] [--limit N] [--no-loso] [--quantize float32|float16|uint8]
 *   [--lesion-weight W] [--save-loso DIR] [--name NAME] [--version V]
 * `--lesion-weight W` adds the auxiliary lesion-mask loss (expert masks, training only; mnv2); `--save-loso DIR` keeps
 * each leave-one-site-out model as DIR/<direction>/ (float32 layers model), e.g. for the adaptation benchmark.
 * `--folder DIR`, `--npz FILE` or `--busi-only` train on one data set instead (train/commands/train-single.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags, ROOT } from '../args.ts';
import { readBreastLesions } from '../data/external.ts';
import { readTrainingSites, SITE_FOLDERS, splitSites, thinOut } from '../data/sites.ts';
import { loadViews } from '../data/views.ts';
import { seededRandom } from '../random.ts';
import type { LosoRun } from '../two-site/report.ts';
import { EDGE_LEARNING_RATE } from '../two-site/recipe.ts';
import { writeJson } from '../write-json.ts';

const OPTIONS = {
  out: { type: 'string' },
  arch: { type: 'string', default: 'mnv2' },
  size: { type: 'string', default: '128' },
  'stem-cut': { type: 'string', default: 'block_5_add' },
  cut: { type: 'string', default: 'block_10_project_BN' },
  head: { type: 'string', default: '128' },
  augs: { type: 'string', default: '4' },
  epochs: { type: 'string', default: '25' },
  patience: { type: 'string', default: '8' },
  'learning-rate': { type: 'string', default: '0.0005' },
  'batch-size': { type: 'string', default: '32' },
  seed: { type: 'string', default: '7' },
  limit: { type: 'string' },
  'no-loso': { type: 'boolean', default: false },
  'lesion-weight': { type: 'string', default: '1' },
  'save-loso': { type: 'string' },
  quantize: { type: 'string', default: 'uint8' },
  name: { type: 'string', default: 'two-site-mobilenetv2' },
  version: { type: 'string', default: '2.2.0' },
} as const;

/** Runs `npm run train -- [flags]`. */
export async function run(argv: string[]): Promise<void> {
  if (argv.some((a) => a === '--folder' || a === '--npz' || a === '--busi-only' || a.startsWith('--folder=') || a.startsWith('--npz='))) {
    return (await import('./train-single.ts')).run(argv.filter((a) => a !== '--busi-only'));
  }
  const args = parseFlags(argv, OPTIONS);
  const started = Date.now();
  const log = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}\n`);
  const { edgeTrainer, stagedTrainer } = await import('../two-site/runs.ts');
  const { evaluateAndWrite } = await import('../two-site/finish.ts');
  const { summariseLoso } = await import('../two-site/report.ts');
  const arch = args.arch === 'edge' ? 'edge' : 'mnv2';
  const seed = Number(args.seed);
  const size = arch === 'edge' ? 128 : Number(args.size);
  const spec = { height: size, width: size, channels: 1 as const };
  const out = resolve(args.out ?? join(ROOT, 'static/model'));
  if (args['save-loso'] && `${resolve(args['save-loso'])}/`.startsWith(`${out}/`)) throw new Error('--save-loso must be outside --out: the output folder is replaced when the final model is written');
  const decoders = await loadNodeDecoders();
  const random = seededRandom(seed);

  // ---- data: both training sites, each split on its own by group (BUSI) or patient (BUS-BRA)
  const all = readTrainingSites(args.data!);
  const samples = args.limit ? thinOut(all, Number(args.limit)) : all;
  const split = splitSites(samples, seed);
  const index = new Map(samples.map((s, i) => [s.path, i]));
  const ids = (part: typeof samples) => part.map((s) => index.get(s.path)!);
  log(`decoding ${samples.length} images (whole frame + lesion boxes) through the serving preprocessing`);
  // Each image: the whole frame, its expert box, and two boxes drawn as a user might (tighter, looser, off-centre).
  const lesionWeight = Number(args['lesion-weight']);
  const views = await loadViews(samples, decoders, spec, 3, random, lesionWeight > 0);
  const labels = samples.map((s) => s.label);
  const settings = {
    epochs: Number(args.epochs),
    patience: Number(args.patience),
    batchSize: Number(args['batch-size']),
    learningRate: arch === 'edge' ? EDGE_LEARNING_RATE : Number(args['learning-rate']),
    seed,
    altViewRate: 0.9,
    lesionWeight,
  };
  const trainer = arch === 'edge'
    ? edgeTrainer(views, settings)
    : await stagedTrainer({ size, stemCut: args['stem-cut']!, cut: args.cut!, headChannels: Number(args.head), seed }, views, Number(args.augs), random, settings, log);

  // ---- leave-one-site-out (the recipe signal), then the model that ships, trained on both sites
  const site = (name: string, part?: 'train' | 'val') => ids((part ? split[part] : samples).filter((s) => s.site === name));
  const loso = args['no-loso'] ? [] : [
    { name: 'busiToBusbra', train: site('busi', 'train'), val: site('busi', 'val'), heldOut: site('busbra') },
    { name: 'busbraToBusi', train: site('busbra', 'train'), val: site('busbra', 'val'), heldOut: site('busi') },
  ];
  const losoResults: Record<string, LosoRun> = {};
  for (const plan of loso) {
    log(`leave-one-site-out: ${plan.name} (${plan.train.length} training images)`);
    const result = await trainer.run(plan, labels);
    losoResults[plan.name] = { heldOut: result.heldOut!, plan, epochs: result.history.length };
    if (args['save-loso']) {
      const dir = resolve(args['save-loso'], plan.name);
      mkdirSync(dir, { recursive: true });
      await result.model.save(`file://${dir}`);
    }
    const { rocAuc } = await import('../eval/metrics.ts');
    log(`${plan.name}: held-out AUC ${rocAuc(result.heldOut!.whole, plan.heldOut.map((i) => labels[i])).toFixed(3)} whole, ${rocAuc(result.heldOut!.box, result.heldOut!.boxIndex.map((i) => labels[i])).toFixed(3)} box`);
    result.model.dispose();
  }
  log(`final model: ${split.train.length} training images, ${split.val.length} validation images`);
  const final = await trainer.run({ name: 'final', train: ids(split.train), val: ids(split.val) }, labels);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await final.model.save(`file://${out}`);
  const parameters = final.model.countParams();
  final.model.dispose();

  // ---- external set (BrEaST): loaded only now, scored once through the serving path, never used to choose
  const breast = readBreastLesions(join(args.data!, SITE_FOLDERS.breast));
  const breastViews = await loadViews(breast, decoders, spec, 1, random);
  await evaluateAndWrite({
    out,
    argv,
    args: { ...args, arch, size },
    started,
    parameters,
    trainerDescription: trainer.description,
    history: final.history,
    samples,
    split,
    views,
    labels,
    ids,
    leaveOneSiteOut: summariseLoso(losoResults, labels),
    breast,
    breastViews,
    log,
  });
}
