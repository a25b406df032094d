/**
 * `deno run -A bench/overhead.ts`: where a /predict request's CPU goes outside the pipeline (decode →
 * preprocess → inference), in process: the pipeline alone, the whole Hono app through app.request with the
 * same multipart body, and the pieces between (multipart parsing, the middleware chain, JSON, the access-log
 * line), plus the pipeline's own steps (decode + preprocess, inference, the gate's statistics and check). The
 * predictor is built as src/deno.ts builds it: with the bundle's seen.bin and gate. CPU ms per request from process.cpuUsage over N requests (steadier than wall time on a busy machine).
 * Writes bench/results/overhead.json. Run with --cpu-prof to see the functions behind the numbers.
 * Flags: --iterations=N (default 200), --out=PATH.
 */
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { inflateSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.ts';
import { DEFAULT_LIMITS } from '../src/config.ts';
import { createPredictor } from '../src/create-predictor.ts';
import { getBackend } from '@tensorflow/tfjs-core';
import { imageStats } from '../src/gate/stats.ts';
import { createDecoders } from '../src/image/codecs.ts';
import { imageToModelInput } from '../src/image/input.ts';
import { streamInflate } from '../src/image/stream-inflate.ts';
import { readMultipart } from '../src/routes/multipart.ts';
import { CODEC_URLS } from '../src/runtime/wasm-paths.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { encodeForm } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { clockKernels } from './kernel-clock.ts';
import { loadAverage, machine, percentile, summarize, type Summary } from './stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    iterations: { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/overhead.json' },
  },
});
const iterations = Number(flags.iterations);
if (!hasData()) {
  console.error('bench/overhead.ts: the shared data set is missing; nothing to measure.');
  Deno.exit(0);
}

const loadBefore = loadAverage();
await startWasmBackend();
// Before the predictor exists: the folded pass keeps the kernel functions it looks up.
const kernelClock = clockKernels(getBackend());
const { artifacts, card, seen, gate } = await readModelDir(BUNDLED_MODEL_DIR);
const predictor = await createPredictor(artifacts, card, await loadDenoDecoders(), seen, gate);
const [png] = await benchImages();

// The multipart body a client sends, encoded once (its encoding is the client's cost, not the server's).
const form = new FormData();
form.append('image', new File([png.bytes as Uint8Array<ArrayBuffer>], 'frame.png', { type: 'image/png' }));
const { contentType, body } = await encodeForm(form);
const request = () => new Request('http://bench/predict', { method: 'POST', body, headers: { 'content-type': contentType, 'content-length': String(body.length) } });

const quietApp = createApp({ predictor: Promise.resolve(predictor), log: () => {} });
const jsonLogApp = createApp({ predictor: Promise.resolve(predictor), log: (line) => void JSON.stringify(line) });
const answer = await predictor.predictMany([png.bytes], DEFAULT_LIMITS);
// The pipeline's pieces, on the same image.
const spec = predictor.classifier.inputSpec;
const prepared = await imageToModelInput(png.bytes, predictor.decoders, spec, DEFAULT_LIMITS);
const stats = imageStats(prepared.raster, prepared.input, spec);
const { features } = predictor.classifier.classifyWithFeatures([prepared.input]);

// The PNG decode with each inflate a runtime could use (Workers had only the wasm codec; Deno used node:zlib).
const nativeInflate = (parts: Uint8Array[], size: number) =>
  inflateSync(parts.length === 1 ? parts[0] : Buffer.concat(parts), { maxOutputLength: Math.max(size, 1) });
const codecs = { png: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.png)), jpeg: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.jpeg)) };
const decodeWith = {
  stream: createDecoders({ ...codecs, inflate: streamInflate }),
  zlib: createDecoders({ ...codecs, inflate: nativeInflate }),
  wasm: createDecoders(codecs),
};

/** Steps timed, each a full request's worth of that piece. */
const steps: Record<string, () => unknown> = {
  pipeline: () => predictor.predictMany([png.bytes], DEFAULT_LIMITS),
  'app.request /predict (access log discarded)': async () => (await quietApp.request(request())).arrayBuffer(),
  'app.request /predict (access log JSON-encoded)': async () => (await jsonLogApp.request(request())).arrayBuffer(),
  'app.request /health': async () => (await quietApp.request('/health')).arrayBuffer(),
  'multipart parse, Request.formData() (before)': async () => {
    const form = await request().formData();
    return new Uint8Array(await (form.get('image') as File).arrayBuffer());
  },
  'multipart parse, readMultipart (served)': () => readMultipart(request(), DEFAULT_LIMITS.maxBodyBytes, ['image']),
  'PNG decode, DecompressionStream inflate': () => decodeWith.stream.decodePng(png.bytes),
  'PNG decode, node:zlib inflateSync': () => decodeWith.zlib.decodePng(png.bytes),
  'PNG decode, imagescript wasm codec (RGBA)': () => decodeWith.wasm.decodePng(png.bytes),
  'decode + preprocess (imageToModelInput)': () => imageToModelInput(png.bytes, predictor.decoders, spec, DEFAULT_LIMITS),
  'inference with pooled features (classifyWithFeatures)': () => predictor.classifier.classifyWithFeatures([prepared.input]),
  'inference with pooled features and maps (explain)': () => predictor.classifier.classifyWithFeatures([prepared.input], true),
  'gate image statistics': () => imageStats(prepared.raster, prepared.input, spec),
  'gate check': () => predictor.gate?.check(features![0], stats),
  'seen-in-training lookup': () => predictor.markSeen([png.bytes], answer),
  'JSON answer (c.json equivalent)': async () => new Response(JSON.stringify(answer[0]), { headers: { 'content-type': 'application/json' } }).arrayBuffer(),
};

interface StepResult {
  /** Short key for documents (`steps[id=…]`): the step name with spaces and punctuation as dashes. */
  id: string;
  step: string;
  /** Mean over the calls. */
  cpuMsPerCall: number;
  /** Median over the calls: what one call costs when no other process got in the way. */
  cpuMsPerCallMedian: number;
  wallMs: Summary;
}
// Interleaved round by round, so machine load and garbage collection fall on every step alike.
const entries = Object.entries(steps);
for (const [, fn] of entries) for (let i = 0; i < 10; i++) await fn();
const walls = entries.map(() => [] as number[]);
const cpu = entries.map(() => 0);
const cpuCalls = entries.map(() => [] as number[]);
for (let i = 0; i < iterations; i++) {
  for (const [k, [, fn]] of entries.entries()) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    await fn();
    walls[k].push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu[k] += (c.user + c.system) / 1000;
    cpuCalls[k].push((c.user + c.system) / 1000);
  }
}
const results: StepResult[] = entries.map(([step], k) => ({
  id: step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''),
  step,
  cpuMsPerCall: Math.round((cpu[k] / iterations) * 1000) / 1000,
  cpuMsPerCallMedian: Math.round(percentile([...cpuCalls[k]].sort((a, b) => a - b), 50) * 1000) / 1000,
  wallMs: summarize(walls[k]),
}));
// The served forward pass (probability + pooled features), per call: time inside the backend's kernels and the
// rest (dispatch: tf.tidy, tensors in and out, the folded graph's loop). Wall time; p10 and min are what the code
// costs, the upper percentiles what the machine's other load added.
const inside: number[] = [];
const outside: number[] = [];
let kernelCalls = 0;
for (let i = 0; i < iterations; i++) {
  const [k0, n0, t] = [kernelClock.ms(), kernelClock.calls(), performance.now()];
  predictor.classifier.classifyWithFeatures([prepared.input]);
  const wall = performance.now() - t;
  inside.push(kernelClock.ms() - k0);
  outside.push(wall - (kernelClock.ms() - k0));
  kernelCalls = kernelClock.calls() - n0;
}
const withP10 = (samples: number[]) => ({
  ...summarize(samples),
  p10: Math.round(percentile([...samples].sort((a, b) => a - b), 10) * 1000) / 1000,
});
// Outside the pipeline: the median over rounds of (app.request − pipeline) CPU in the same round. A difference of
// two ~10 ms means moves by more than itself when other processes load the machine; the paired median does not.
const paired = cpuCalls[1].map((app, i) => app - cpuCalls[0][i]).sort((a, b) => a - b);
const result = {
  date: new Date().toISOString(),
  command: `deno run -A bench/overhead.ts ${Deno.args.join(' ')}`.trim(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAverage() },
  image: `${png.name} (${png.bytes.length} bytes)`,
  model: `${predictor.card.name} ${predictor.card.version}`,
  gate: predictor.gate !== undefined,
  iterations,
  outsidePipelineCpuMs: Math.round(percentile(paired, 50) * 1000) / 1000,
  steps: results,
  inferenceDispatch: { kernelCallsPerPass: kernelCalls, insideKernelsMs: withP10(inside), outsideKernelsMs: withP10(outside) },
};
await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
console.log('| step | CPU ms / call | wall p50 ms |');
console.log('|---|---:|---:|');
for (const r of results) console.log(`| ${r.step} | ${r.cpuMsPerCall.toFixed(3)} | ${r.wallMs.p50.toFixed(3)} |`);
console.log(`outside the pipeline (app.request − pipeline, median of rounds): ${result.outsidePipelineCpuMs} ms CPU`);
const { insideKernelsMs: ik, outsideKernelsMs: ok } = result.inferenceDispatch;
console.log(`forward pass, ${kernelCalls} kernels: inside kernels p10 ${ik.p10.toFixed(3)} ms, outside p10 ${ok.p10.toFixed(3)} ms (min ${ok.min.toFixed(3)}, p50 ${ok.p50.toFixed(3)})`);
