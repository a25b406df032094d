/**
 * `deno run -A bench/models.ts --model=DIR --model=DIR …`: serving CPU per prediction of several model folders
 * (model.json + card.json, as `npm run train` writes them), in one process, interleaved call by call so machine
 * load falls on every model alike. Each call is what /predict runs between multipart and JSON (predictMany with
 * the folder's gate, then the seen lookup), with and without ?explain=true. Used to check the speed condition of
 * a candidate model (docs/model.md#candidates) before it replaces the shipped one.
 * Writes bench/results/models.json. Flags: --model=DIR (repeatable; default static/model), --rounds=N (default
 * 80), --image=PATH (under the data folder; repeatable; default a BUSI gray frame and a BrEaST RGBA frame),
 * --out=PATH.
 */
import { parseArgs } from 'node:util';
import { createPredictor } from '../src/create-predictor.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import type { Predictor } from '../src/predictor.ts';
import { readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { DATA_DIR, hasData } from './images.ts';
import { interleavedCpuMs, loadAverage, machine } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    model: { type: 'string', multiple: true, default: ['static/model'] },
    rounds: { type: 'string', default: '80' },
    image: { type: 'string', multiple: true, default: ['busi/benign/benign (1).png', 'breast-lesions-usg/malignant/case005.png'] },
    out: { type: 'string', default: 'bench/results/models.json' },
  },
});
if (!hasData()) {
  console.error('bench/models.ts: the shared data set is missing; nothing to measure.');
  Deno.exit(0);
}
const log = (message: string) => console.error(`[models] ${message}`);
const absolute = (dir: string) => (dir.startsWith('/') ? dir : `${Deno.cwd()}/${dir}`);

const loadBefore = loadAverage();
await startWasmBackend();
const decoders = await loadDenoDecoders();
const models: { dir: string; name: string; input: string; predictor: Predictor }[] = [];
for (const dir of flags.model) {
  const { artifacts, card, seen, gate } = await readModelDir(absolute(dir));
  const predictor = await createPredictor(artifacts, card, decoders, seen, gate);
  const { height, width, channels } = predictor.classifier.inputSpec;
  models.push({ dir, name: `${predictor.card.name} ${predictor.card.version}`, input: `${height}×${width}×${channels}`, predictor });
}
const rounds = Number(flags.rounds);
const rows = [];
for (const image of flags.image) {
  const bytes = Deno.readFileSync(`${DATA_DIR}/${image}`);
  const steps = models.flatMap((m) =>
    [false, true].map((explain) => ({
      dir: m.dir,
      explain,
      call: async () => {
        const outcomes = await m.predictor.predictMany([bytes], DEFAULT_IMAGE_LIMITS, explain);
        await m.predictor.markSeen([bytes], outcomes);
      },
    }))
  );
  log(`${image}: ${rounds} rounds × ${steps.length} calls`);
  const cpu = await interleavedCpuMs(steps.map((s) => s.call), rounds);
  const ms = (dir: string, explain: boolean) => cpu[steps.findIndex((s) => s.dir === dir && s.explain === explain)];
  rows.push({ image, cpuMsPerPrediction: Object.fromEntries(models.map((m) => [m.dir, { plain: ms(m.dir, false), explain: ms(m.dir, true) }])) });
}
const result = {
  date: new Date().toISOString(),
  command: `deno run -A bench/models.ts ${Deno.args.join(' ')}`.trim(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAverage() },
  note: 'Process CPU (all threads) per predictMany (with the gate) + seen lookup of one image, the models interleaved call by call; with loadAverage above the core count every number is inflated alike.',
  rounds,
  models: models.map(({ dir, name, input }) => ({ dir, name, input })),
  images: rows,
};
await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
console.log(`| image | ${models.map((m) => `${m.name} (${m.input}) ms CPU, plain / explain`).join(' | ')} |`);
console.log(`|---|${models.map(() => '---:').join('|')}|`);
for (const r of rows) {
  console.log(`| ${r.image} | ${models.map((m) => `${r.cpuMsPerPrediction[m.dir].plain} / ${r.cpuMsPerPrediction[m.dir].explain}`).join(' | ')} |`);
}
log(`wrote ${flags.out}`);
