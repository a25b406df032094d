/**
 * Box mode against whole-image mode, in process with the bundled model: process CPU time per /predict image
 * (Predictor.predictMany, as the route calls it) for the benchmark images, whole and with a lesion box.
 * Run: deno run -A bench/roi.ts [--iterations N]   → bench/results/roi.json (target: box ≤ 10 ms CPU, like whole)
 */
import process from 'node:process';
import { parseArgs } from 'node:util';
import { createPredictor } from '../src/create-predictor.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import type { Roi } from '../src/image/roi.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { benchImages, hasData } from './images.ts';
import { loadAverage, machine } from './stats.ts';

const { values: args } = parseArgs({ args: Deno.args, options: { iterations: { type: 'string', default: '40' } } });
const iterations = Number(args.iterations);
if (!hasData()) throw new Error('bench/roi.ts needs the shared data (DATA_DIR or ../shared/data)');
await startWasmBackend();
const { artifacts, card } = await readModelDir(BUNDLED_MODEL_DIR);
const predictor = await createPredictor(artifacts, card, await loadDenoDecoders());

/** Process CPU ms per image over `iterations` predictions (after 5 warm-up ones). */
async function cpuMs(bytes: Uint8Array, roi?: Roi): Promise<number> {
  const run = async () => JSON.stringify(await predictor.predictMany([bytes], DEFAULT_IMAGE_LIMITS, false, Infinity, [roi]));
  for (let i = 0; i < 5; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await run();
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) / 1000 / iterations) * 1000) / 1000;
}

const rows = [];
for (const image of await benchImages()) {
  // A lesion-sized box (a third of each side, in the middle) and a small one (a tenth), as users draw them.
  const third: Roi = { x: Math.round(image.width / 3), y: Math.round(image.height / 3), width: Math.round(image.width / 3), height: Math.round(image.height / 3) };
  const tenth: Roi = { x: Math.round(image.width * 0.45), y: Math.round(image.height * 0.45), width: Math.round(image.width / 10), height: Math.round(image.height / 10) };
  const row = { image: image.name, whole: await cpuMs(image.bytes), boxThird: await cpuMs(image.bytes, third), boxTenth: await cpuMs(image.bytes, tenth) };
  console.log(`${row.image}: CPU ms per image — whole ${row.whole}, box 1/3 ${row.boxThird}, box 1/10 ${row.boxTenth}`);
  rows.push(row);
}
const out = new URL('./results/roi.json', import.meta.url);
const result = {
  command: 'deno run -A bench/roi.ts' + (Deno.args.length ? ' ' + Deno.args.join(' ') : ''),
  createdAt: new Date().toISOString(),
  model: { name: predictor.card.name, version: predictor.card.version, input: predictor.classifier.inputSpec },
  iterations,
  machine: machine(),
  loadAverage: loadAverage(),
  rows,
};
Deno.writeTextFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(`→ ${out.pathname}`);
