/**
 * Cold start, step by step: each run is a fresh Deno process that imports the serving modules, starts the
 * WASM backend, reads the bundled model, builds the Classifier, warms it up, loads the gate and answers one
 * /predict through `app.request` (no socket), as src/deno.ts does. Per step it records wall ms and CPU ms
 * (user + system of the whole process): on a shared machine the CPU time is the steadier number. Then
 * (unless --no-http) spawn → first 200 from a real `deno serve` (bench/http.ts coldStart). Prints medians and
 * writes bench/results/cold-start.json. Asserts nothing.
 *
 *   nice -n 15 node_modules/.bin/deno run -A bench/cold-start.ts [--runs 7] [--http-runs 5] [--no-http] [--model DIR]
 */
import { parseArgs } from 'node:util';
import process from 'node:process';
import { coldStart } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { loadAverage, machine } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    child: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
    'http-runs': { type: 'string', default: '5' },
    'no-http': { type: 'boolean', default: false },
    model: { type: 'string' },
    json: { type: 'string' },
  },
});

/** One step's wall and CPU milliseconds. */
type Step = { wall: number; cpu: number };

if (flags.child) {
  // Only dynamic imports below, so module loading is timed as a step and not before the first line runs.
  const steps: Record<string, Step> = {};
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let wall = performance.now();
  let cpu = cpuMs();
  const mark = (name: string) => {
    const [w, c] = [performance.now(), cpuMs()];
    steps[name] = { wall: w - wall, cpu: c - cpu };
    [wall, cpu] = [w, c];
  };
  await import('@tensorflow/tfjs-core');
  mark('import tfjs-core');
  // tfjs-layers is not imported here: serving loads it only for a model the folded graph cannot serve (then its
  // cost shows in Classifier.fromArtifacts).
  const { startWasmBackend } = await import('../src/runtime/deno-tf.ts');
  mark('import tfjs-backend-wasm');
  const { createApp } = await import('../src/app.ts');
  const { Classifier } = await import('../src/model/classifier.ts');
  const { loadGate } = await import('../src/gate/load.ts');
  const { Predictor } = await import('../src/predictor.ts');
  const { parseModelCard } = await import('../src/model/card.ts');
  const { SeenSet } = await import('../src/model/seen.ts');
  const { BUNDLED_MODEL_DIR, readModelDir } = await import('../src/runtime/deno-model.ts');
  const { loadDenoDecoders } = await import('../src/runtime/deno-wasm.ts');
  mark('import app');
  await startWasmBackend();
  mark('start wasm backend');
  const decoders = await loadDenoDecoders();
  mark('compile codecs');
  const { artifacts, card, seen, gate } = await readModelDir(flags.model ?? BUNDLED_MODEL_DIR);
  mark('read model files');
  // The steps of src/create-predictor.ts, timed one by one.
  const parsedCard = parseModelCard(card);
  const seenSet = seen ? new SeenSet(seen) : undefined;
  mark('card + seen');
  const classifier = await Classifier.fromArtifacts(artifacts);
  mark('Classifier.fromArtifacts');
  classifier.warmUp();
  mark('warmUp');
  const loadedGate = await loadGate(gate, artifacts, classifier.pooledFeatureDim);
  mark('gate');
  const app = createApp({ predictor: Promise.resolve(new Predictor(classifier, decoders, parsedCard, seenSet, loadedGate)), log: () => {} });
  await new Promise((r) => setTimeout(r, 0)); // lets the app see the resolved predictor
  const [image] = await benchImages();
  const post = async () => {
    const body = new FormData();
    body.append('image', new File([image.bytes as Uint8Array<ArrayBuffer>], 'x.png', { type: 'image/png' }));
    [wall, cpu] = [performance.now(), cpuMs()];
    const response = await app.request('/predict', { method: 'POST', body });
    if (response.status !== 200) throw new Error(`/predict answered ${response.status}`);
    return response.json();
  };
  const first = await post();
  mark('first /predict');
  const second = await post();
  mark('second /predict');
  // The server's own stage timings (decode, preprocess, inference, gate): where the first request's extra goes.
  console.log(JSON.stringify({ steps, probability: first.probability, timings: [first.timings, second.timings] }));
  Deno.exit(0);
}

if (!hasData()) {
  console.error('bench/cold-start.ts: the shared data set is missing (expected ../shared/data or DATA_DIR).');
  Deno.exit(0);
}
const log = (message: string) => console.error(`[cold-start] ${message}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v: number) => Math.round(v * 10) / 10;
const loadBefore = loadAverage();
log(`load average ${loadBefore.join(' ')} (wall times under load are inflated; CPU times less so)`);

const runs: { steps: Record<string, Step>; probability: number }[] = [];
for (let i = 0; i < Number(flags.runs); i++) {
  const args = ['run', '-A', new URL(import.meta.url).pathname, '--child'];
  if (flags.model) args.push('--model', flags.model);
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: 'piped', stderr: 'inherit' }).output();
  if (!out.success) throw new Error(`child run ${i} failed`);
  const run = JSON.parse(new TextDecoder().decode(out.stdout).trim().split('\n').pop()!);
  runs.push(run);
  log(`run ${i + 1}: process ${Math.round(performance.now() - t0)} ms`);
}
const names = Object.keys(runs[0].steps);
const steps = Object.fromEntries(names.map((name) => [name, {
  wallMsMedian: round(median(runs.map((r) => r.steps[name].wall))),
  cpuMsMedian: round(median(runs.map((r) => r.steps[name].cpu))),
}]));
const toFirstAnswer = (pick: (s: Step) => number) => round(median(runs.map((r) => names.filter((n) => n !== 'second /predict').reduce((sum, n) => sum + pick(r.steps[n]), 0))));

let http: unknown = null;
if (!flags['no-http']) {
  const [image] = await benchImages();
  log('deno serve: spawn → first /predict 200');
  http = await coldStart(false, image, Number(flags['http-runs']));
}

const results = {
  command: `deno run -A bench/cold-start.ts ${Deno.args.join(' ')}`.trim(),
  finishedAt: new Date().toISOString(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAverage() },
  runs: runs.length,
  // Every run's served probability: the cold path must give the same number each time.
  probabilities: [...new Set(runs.map((r) => r.probability))],
  steps,
  inProcessToFirstAnswer: { wallMsMedian: toFirstAnswer((s) => s.wall), cpuMsMedian: toFirstAnswer((s) => s.cpu) },
  denoServeColdStart: http,
};
console.table(Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v])));
console.log(JSON.stringify({ inProcessToFirstAnswer: results.inProcessToFirstAnswer, http: (http as { summary?: unknown })?.summary, loadAverage: results.loadAverage }));
const out = flags.json ?? new URL('./results/cold-start.json', import.meta.url).pathname;
await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + '\n');
log(`wrote ${out}`);
