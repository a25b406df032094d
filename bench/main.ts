/**
 * `deno task bench`: per-stage CPU, model FLOPs and GFLOP/s, HTTP latency/throughput at concurrency 1/8/32 on
 * one isolate and on `deno serve --parallel`, and cold start. Writes bench/results/bench-<time>.json and
 * bench/results/latest.json and prints a Markdown table.
 * Flags: --quick (short runs), --no-http, --no-seed, --seconds=N (per load run, default 8).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { createPredictor } from '../src/create-predictor.ts';
import type { ModelArtifacts } from '../src/model/classifier.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { convCeiling, countMacs } from './flops.ts';
import { coldStart, loadRun, type LoadResult, startServer, waitForFirstAnswer } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { seedModelArtifacts } from './seed-model.ts';
import { baselinePipeline } from './baseline.ts';
import { kernelProfile, servingPipeline, type StageResult, timeStages } from './stages.ts';
import { loadAverage, machine } from './stats.ts';
import { markdownTables, type ModelRow } from './report.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '8' },
  },
});
const quick = flags.quick;
const seconds = quick ? 2 : Number(flags.seconds);
const iterations = quick ? 30 : 200;

if (!hasData()) {
  console.error('bench: the shared data set is missing (expected ../shared/data or DATA_DIR); nothing to measure.');
  Deno.exit(0);
}

const log = (message: string) => console.error(`[bench] ${message}`);
const startedAt = new Date();
const loadBefore = loadAverage();
log(`load average ${loadBefore.join(' ')} (numbers taken under load are inflated)`);

await startWasmBackend();
const images = await benchImages();
const decoders = await loadDenoDecoders();

/** Loads a layers model from artefacts only to count its MACs (the Classifier keeps its model private). */
async function macsOf(artifacts: ModelArtifacts) {
  const { modelJson, weights } = artifacts;
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: (weights['weights.bin'] as Uint8Array).slice().buffer,
  }));
  const macs = countMacs(model);
  model.dispose();
  return macs;
}

// ---- in-process stages and FLOPs ----
const stageResults: StageResult[] = [];
const models: Record<string, ModelRow> = {};
const edge = await readModelDir(BUNDLED_MODEL_DIR);
// With the bundle's gate and seen set, as deno serve builds it: CPU per prediction includes the gate.
const edgePredictor = await createPredictor(edge.artifacts, edge.card, decoders, edge.seen, edge.gate);
const edgeName = `${edgePredictor.card.name} ${edgePredictor.card.version}`;
const baseline = await baselinePipeline(edge.artifacts);
for (const image of images) {
  log(`stages: ${edgeName} on ${image.name} (current path, then the path before the performance work)`);
  stageResults.push(await timeStages(servingPipeline(edgePredictor), edgeName, image, iterations));
  stageResults.push(await timeStages(baseline, `${edgeName}, before`, image, iterations));
}
baseline.dispose();
const edgeMacs = await macsOf(edge.artifacts);
const edgeInference = stageResults.find((r) => r.model === edgeName)!.inference.p50;
const kernels = await kernelProfile(edgePredictor);
const ceiling = convCeiling();
models[edgeName] = {
  parameters: edgePredictor.classifier.parameterCount,
  macs: edgeMacs.total,
  mflops: Math.round((2 * edgeMacs.total) / 1e4) / 100,
  inferenceP50Ms: edgeInference,
  achievedGflops: Math.round(((2 * edgeMacs.total) / (edgeInference * 1e6)) * 100) / 100,
  // Conv layers and the conv kernels run in the same order, but FusedForward folds some 1×1 convs into the conv
  // after them (no kernel of their own): a layer is paired with the next kernel of its output shape, else it
  // was folded. GFLOP/s uses the layer's own MACs (a conv that took in a 1×1 does fewer, e.g. Conv1 on gray).
  convLayers: (() => {
    const convs = edgeMacs.layers.filter((l) => l.type === 'Conv2D');
    const convKernels = kernels.filter((k) => k.kernel === 'FusedConv2D' || k.kernel === 'Conv2D');
    let next = 0;
    return convs.map((l) => {
      const k = convKernels[next];
      if (!k || k.outputShape.slice(1).join('×') !== l.outputShape.join('×')) return { ...l, ms: 'folded', gflops: '—' };
      next++;
      return { ...l, ms: k.ms, gflops: Math.round(((2 * l.macs) / (k.ms * 1e6)) * 10) / 10 };
    });
  })(),
  kernelMsTotal: Math.round(kernels.reduce((s, k) => s + k.ms, 0) * 1000) / 1000,
  kernels,
};
edgePredictor.classifier.dispose();

if (!flags['no-seed']) {
  log('building the seed architecture (random weights, ~175 MB)');
  const seedArtifacts = await seedModelArtifacts();
  const seedPredictor = await createPredictor(seedArtifacts, { name: 'seed', version: 'random-weights', threshold: { value: 0.5, rationale: 'timing only' } }, decoders);
  for (const image of images) {
    log(`stages: seed on ${image.name}`);
    stageResults.push(await timeStages(servingPipeline(seedPredictor), 'seed (original, 299 px)', image, quick ? 5 : 20));
  }
  const seedMacs = await macsOf(seedArtifacts);
  const seedInference = stageResults.find((r) => r.model.startsWith('seed'))!.inference.p50;
  models['seed (original, 299 px)'] = {
    parameters: seedPredictor.classifier.parameterCount,
    macs: seedMacs.total,
    mflops: Math.round((2 * seedMacs.total) / 1e4) / 100,
    inferenceP50Ms: seedInference,
    achievedGflops: Math.round(((2 * seedMacs.total) / (seedInference * 1e6)) * 100) / 100,
    layers: seedMacs.layers.filter((l) => l.macs > 0),
  };
  seedPredictor.classifier.dispose();
}

// ---- HTTP ----
const load: LoadResult[] = [];
const cold: unknown[] = [];
if (!flags['no-http']) {
  for (const parallel of [false, true]) {
    const mode = parallel ? 'parallel' : 'single';
    const { server } = startServer(parallel);
    try {
      await waitForFirstAnswer(server.url, images[0]);
      // --parallel: the first answer comes from whichever isolate is up first, and keep-alive connections opened
      // before the other one listens stay on the first for the whole run (seen as runs at one isolate's rate).
      if (parallel) await server.isolatesReady(navigator.hardwareConcurrency);
      for (const image of images) {
        for (const concurrency of [1, 8, 32]) {
          log(`http ${mode}: ${image.name} at concurrency ${concurrency} for ${seconds} s`);
          load.push(await loadRun(server, mode, image, concurrency, seconds));
        }
      }
    } finally {
      await server.stop();
    }
  }
  for (const parallel of [false, true]) {
    log(`cold start (${parallel ? 'parallel' : 'single'})`);
    cold.push(await coldStart(parallel, images[0], quick ? 2 : 5));
  }
}

const results = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  command: `deno task bench ${Deno.args.join(' ')}`.trim(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAverage() },
  backend: tf.getBackend(),
  images: images.map(({ name, format, width, height, bytes }) => ({ name, format, width, height, bytes: bytes.length })),
  ceiling: { conv3x3GflopsSingleThread: ceiling.gflops, shape: ceiling.shape },
  models,
  stages: stageResults,
  http: load,
  coldStart: cold,
};
const dir = new URL('./results/', import.meta.url);
await Deno.mkdir(dir, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const json = JSON.stringify(results, null, 2) + '\n';
await Deno.writeTextFile(new URL(`bench-${stamp}.json`, dir), json);
await Deno.writeTextFile(new URL('latest.json', dir), json);
console.log(markdownTables(results));
log(`wrote bench/results/bench-${stamp}.json and bench/results/latest.json`);
