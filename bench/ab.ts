/**
 * `deno run -A bench/ab.ts --base=REV`: the serving path of an earlier commit against this checkout's, in one
 * process on the same model (static/model of this checkout), interleaved call by call so machine load falls on
 * both alike: process CPU per predictMany + seen lookup (what /predict runs between multipart and JSON), with
 * and without ?explain=true, per image, and the largest score and heatmap differences between the two.
 * The base's src/ is taken with `git archive` into a temporary folder that resolves packages from this
 * checkout's node_modules, so the base must accept this checkout's model files and createPredictor arguments.
 * Writes bench/results/ab.json. Flags: --base=REV (required), --rounds=N (default 60), --image=PATH (under the
 * data folder; repeatable; default a BUSI gray frame and a BrEaST RGBA frame), --out=PATH.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import type { Prediction, Predictor } from '../src/predictor.ts';
import { checkoutBase } from './base-checkout.ts';
import { DATA_DIR, hasData } from './images.ts';
import { interleavedCpuMs, loadAverage, machine } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '60' },
    image: { type: 'string', multiple: true, default: ['busi/benign/benign (1).png', 'breast-lesions-usg/malignant/case005.png'] },
    out: { type: 'string', default: 'bench/results/ab.json' },
  },
});
if (!flags.base) {
  console.error('bench/ab.ts: say which commit to compare with, e.g. --base=3c5e9a0');
  Deno.exit(2);
}
if (!hasData()) {
  console.error('bench/ab.ts: the shared data set is missing; nothing to measure.');
  Deno.exit(0);
}
const root = new URL('..', import.meta.url).pathname;
const log = (message: string) => console.error(`[ab] ${message}`);

type Build = (artifacts: unknown, card: unknown, decoders: unknown, seen?: Uint8Array, gate?: unknown) => Promise<Predictor>;
async function predictorFrom(srcRoot: string): Promise<Predictor> {
  const { createPredictor } = await import(`file://${srcRoot}/src/create-predictor.ts`) as { createPredictor: Build };
  const { loadDenoDecoders } = await import(`file://${srcRoot}/src/runtime/deno-wasm.ts`);
  const { readModelDir, BUNDLED_MODEL_DIR } = await import('../src/runtime/deno-model.ts');
  const { artifacts, card, seen, gate } = await readModelDir(BUNDLED_MODEL_DIR);
  return await createPredictor(artifacts, card, await loadDenoDecoders(), seen, gate);
}

const loadBefore = loadAverage();
const baseDir = await checkoutBase(flags.base, root);
try {
  const { startWasmBackend } = await import('../src/runtime/deno-tf.ts');
  await startWasmBackend();
  const variants = { base: await predictorFrom(baseDir), head: await predictorFrom(root.replace(/\/$/, '')) };
  const rounds = Number(flags.rounds);
  const results = [];
  for (const image of flags.image) {
    const bytes = Deno.readFileSync(`${DATA_DIR}/${image}`);
    const run = (p: Predictor, explain: boolean) => async () => {
      const outcomes = await p.predictMany([bytes], DEFAULT_IMAGE_LIMITS, explain);
      await p.markSeen([bytes], outcomes);
      return outcomes[0] as Prediction;
    };
    const steps = Object.entries(variants).flatMap(([name, p]) =>
      [false, true].map((explain) => ({ name, explain, call: run(p, explain) }))
    );
    const [base, head] = await Promise.all([run(variants.base, true)(), run(variants.head, true)()]);
    const heat = (a?: number[], b?: number[]) => Math.max(0, ...(a ?? []).map((v, i) => Math.abs(v - (b?.[i] ?? NaN))));
    log(`${image}: ${rounds} rounds`);
    const cpu = await interleavedCpuMs(steps.map((s) => s.call), rounds);
    const ms = (name: string, explain: boolean) => cpu[steps.findIndex((s) => s.name === name && s.explain === explain)];
    results.push({
      image,
      cpuMsPerPrediction: {
        base: { plain: ms('base', false), explain: ms('base', true) },
        head: { plain: ms('head', false), explain: ms('head', true) },
      },
      maxAbsScoreDelta: Math.abs(base.score - head.score),
      maxAbsHeatmapDelta: Math.max(heat(base.heatmap?.values, head.heatmap?.values), heat(base.heatmap?.benignValues, head.heatmap?.benignValues)),
    });
  }
  const result = {
    date: new Date().toISOString(),
    command: `deno run -A bench/ab.ts ${Deno.args.join(' ')}`.trim(),
    machine: machine(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    base: flags.base,
    note: 'Process CPU (all threads) per predictMany + seen lookup of one image, base and head interleaved call by call, same model; with loadAverage above the core count both are inflated.',
    rounds,
    images: results,
  };
  await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
  console.log('| image | base ms CPU | head ms CPU | base explain | head explain | max |Δscore| | max |Δheatmap| |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const { base: b, head: h } = r.cpuMsPerPrediction;
    console.log(`| ${r.image} | ${b.plain} | ${h.plain} | ${b.explain} | ${h.explain} | ${r.maxAbsScoreDelta.toExponential(1)} | ${r.maxAbsHeatmapDelta} |`);
  }
  log(`wrote ${flags.out}`);
} finally {
  await Deno.remove(baseDir, { recursive: true });
}
