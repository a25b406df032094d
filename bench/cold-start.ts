/**
 * Cold start, step by step: each run is a fresh Deno process that imports the serving modules, starts the
 * WASM backend, reads the bundled model, builds the Classifier, warms it up, loads the gate and answers one
 * /predict through `app.request` (no socket), as src/deno.ts does. Per step it records wall ms and CPU ms
 * (user + system of the whole process): on a shared machine the CPU time is the steadier number. Then
 * (unless --no-http) spawn → first 200 from a real `deno serve` (bench/http.ts coldStart), and with --workerd N
 * the first /predict of N fresh workerd isolates (the `wrangler deploy` bundle, tests/workerd/launch.ts): wall
 * ms and workerd's CPU ms for that request, which loads the model. Prints medians and writes
 * bench/results/cold-start.json. Asserts nothing.
 *
 * With --base REV, each run is followed by one of REV's src/ on this checkout's model (in-process steps only).
 *
 *   nice -n 15 node_modules/.bin/deno run -A bench/cold-start.ts [--runs 7] [--http-runs 5] [--no-http] [--workerd 3]
 *     [--base REV] [--model DIR]
 */
import { parseArgs } from 'node:util';
import process from 'node:process';
import { checkoutBase } from './base-checkout.ts';
import { coldStart, encodeForm, processCpuSeconds } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { loadAverage, machine } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    child: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
    'http-runs': { type: 'string', default: '5' },
    'no-http': { type: 'boolean', default: false },
    workerd: { type: 'string', default: '0' },
    model: { type: 'string' },
    base: { type: 'string' },
    src: { type: 'string' },
    json: { type: 'string' },
  },
});

/** One step's wall and CPU milliseconds. */
type Step = { wall: number; cpu: number };

if (flags.child) {
  // Only dynamic imports below, so module loading is timed as a step and not before the first line runs. Step
  // names are plain identifiers so scripts/docs-numbers.ts can quote them.
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
  mark('importTfjsCore');
  // tfjs-layers is not imported here: serving loads it only for a model the folded graph cannot serve (then its
  // cost shows in Classifier.fromArtifacts).
  // --src: another checkout's src/ (an earlier commit's, from --base), typed as this one's.
  const src = (path: string) => `file://${flags.src ?? new URL('..', import.meta.url).pathname}/src/${path}`;
  const { startWasmBackend } = await import(src('runtime/deno-tf.ts')) as typeof import('../src/runtime/deno-tf.ts');
  mark('importTfjsBackendWasm');
  const { createApp } = await import(src('app.ts')) as typeof import('../src/app.ts');
  const { Classifier } = await import(src('model/classifier.ts')) as typeof import('../src/model/classifier.ts');
  const { loadGate } = await import(src('gate/load.ts')) as typeof import('../src/gate/load.ts');
  const { Predictor } = await import(src('predictor.ts')) as typeof import('../src/predictor.ts');
  const { parseModelCard } = await import(src('model/card.ts')) as typeof import('../src/model/card.ts');
  const { SeenSet } = await import(src('model/seen.ts')) as typeof import('../src/model/seen.ts');
  const { readModelDir } = await import(src('runtime/deno-model.ts')) as typeof import('../src/runtime/deno-model.ts');
  const { loadDenoDecoders } = await import(src('runtime/deno-wasm.ts')) as typeof import('../src/runtime/deno-wasm.ts');
  mark('importApp');
  await startWasmBackend();
  mark('startWasmBackend');
  const decoders = await loadDenoDecoders();
  mark('compileCodecs');
  const { artifacts, card, seen, gate } = await readModelDir(flags.model ?? new URL('../static/model/', import.meta.url));
  mark('readModelFiles');
  // The steps of src/create-predictor.ts, timed one by one.
  const parsedCard = parseModelCard(card);
  const seenSet = seen ? new SeenSet(seen) : undefined;
  mark('cardAndSeen');
  const classifier = await Classifier.fromArtifacts(artifacts);
  mark('classifierFromArtifacts');
  classifier.warmUp();
  mark('warmUp');
  const loadedGate = await loadGate(gate, artifacts, classifier.pooledFeatureDim);
  mark('loadGate');
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
  mark('firstPredict');
  const second = await post();
  mark('secondPredict');
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

type Timings = Record<string, number>;
type Run = { steps: Record<string, Step>; probability: number; timings: [Timings, Timings] };
const root = new URL('..', import.meta.url).pathname;
/** One fresh process timing the steps, on this checkout's src/ or `src` (another checkout's root). */
async function child(src?: string): Promise<Run> {
  const args = ['run', '-A', new URL(import.meta.url).pathname, '--child', '--model', flags.model ?? `${root}static/model/`];
  if (src) args.push('--src', src);
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: 'piped', stderr: 'inherit' }).output();
  if (!out.success) throw new Error(`child run failed${src ? ` (${src})` : ''}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split('\n').pop()!);
}
// --base REV: that commit's src/ (bench/base-checkout.ts) on this checkout's model, run by run in turn with this one.
const baseDir = flags.base ? await checkoutBase(flags.base, root) : undefined;
const runs: Run[] = [];
const baseRuns: Run[] = [];
try {
  for (let i = 0; i < Number(flags.runs); i++) {
    const t0 = performance.now();
    runs.push(await child());
    if (baseDir) baseRuns.push(await child(baseDir));
    log(`run ${i + 1}: ${Math.round(performance.now() - t0)} ms`);
  }
} finally {
  if (baseDir) await Deno.remove(baseDir, { recursive: true });
}
const names = Object.keys(runs[0].steps);
/** Median wall and CPU ms per step, and of the sum of the steps up to the first answer. */
function summary(runs: Run[]) {
  const steps = Object.fromEntries(names.map((name) => [name, {
    wallMsMedian: round(median(runs.map((r) => r.steps[name].wall))),
    cpuMsMedian: round(median(runs.map((r) => r.steps[name].cpu))),
  }]));
  const toFirstAnswer = (pick: (s: Step) => number) => round(median(runs.map((r) => names.filter((n) => n !== 'secondPredict').reduce((sum, n) => sum + pick(r.steps[n]), 0))));
  return { steps, inProcessToFirstAnswer: { wallMsMedian: toFirstAnswer((s) => s.wall), cpuMsMedian: toFirstAnswer((s) => s.cpu) } };
}
const { steps, inProcessToFirstAnswer } = summary(runs);

let http: unknown = null;
if (!flags['no-http']) {
  const [image] = await benchImages();
  log('deno serve: spawn → first /predict 200');
  http = await coldStart(false, image, Number(flags['http-runs']));
}

// workerd: a fresh process per run, its first request a /predict (the Worker loads the model on it).
const workerd: { firstPredictMs: number; workerdCpuMs: number | null }[] = [];
if (Number(flags.workerd) > 0) {
  const { rawPost, startWorkerd } = await import('../tests/workerd/launch.ts');
  const { multipart } = await import('../tests/fixtures/images.ts');
  const [image] = await benchImages();
  const { contentType, body } = await encodeForm(multipart([{ name: 'image', bytes: image.bytes }]));
  for (let i = 0; i < Number(flags.workerd); i++) {
    const worker = await startWorkerd({ probe: false });
    try {
      const pid = worker.workerdPid;
      const cpu0 = pid ? processCpuSeconds(pid) : 0;
      const t0 = performance.now();
      const res = await rawPost(worker.url, '/predict', contentType, body);
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`workerd /predict answered ${res.status}`);
      workerd.push({ firstPredictMs: round(ms), workerdCpuMs: pid ? round((processCpuSeconds(pid) - cpu0) * 1000) : null });
      log(`workerd run ${i + 1}: first /predict ${Math.round(ms)} ms`);
    } finally {
      await worker.stop();
    }
  }
}
const cpus = workerd.map((w) => w.workerdCpuMs).filter((v): v is number => v !== null);

const results = {
  command: `deno run -A bench/cold-start.ts ${Deno.args.join(' ')}`.trim(),
  finishedAt: new Date().toISOString(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAverage() },
  runs: runs.length,
  // Every run's served probability: the cold path must give the same number each time.
  probabilities: [...new Set(runs.map((r) => r.probability))],
  steps,
  inProcessToFirstAnswer,
  // The answers' own stage timings (wall ms), medians: the first request pays one-off compilation the second does not.
  predictStagesMsMedian: ['first', 'second'].map((which, i) => ({
    request: which,
    ...Object.fromEntries(Object.keys(runs[0].timings[i]).map((k) => [k, round(median(runs.map((r) => r.timings[i][k])))])),
  })),
  // The same steps on the --base commit's src/, interleaved with the runs above (same model, same machine load).
  base: baseDir ? { rev: flags.base, probabilities: [...new Set(baseRuns.map((r) => r.probability))], ...summary(baseRuns) } : null,
  denoServeColdStart: http,
  workerdFirstPredict: workerd.length
    ? {
      runs: workerd,
      wallMsMedian: round(median(workerd.map((w) => w.firstPredictMs))),
      workerdCpuMsMedian: cpus.length ? round(median(cpus)) : null,
    }
    : null,
};
console.table(Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v])));
console.log(JSON.stringify({
  inProcessToFirstAnswer: results.inProcessToFirstAnswer,
  base: results.base && { rev: results.base.rev, inProcessToFirstAnswer: results.base.inProcessToFirstAnswer },
  http: (http as { summary?: unknown })?.summary,
  workerd: results.workerdFirstPredict && { wallMsMedian: results.workerdFirstPredict.wallMsMedian, cpuMsMedian: results.workerdFirstPredict.workerdCpuMsMedian },
  loadAverage: results.loadAverage,
}));
const out = flags.json ?? new URL('./results/cold-start.json', import.meta.url).pathname;
await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + '\n');
log(`wrote ${out}`);
