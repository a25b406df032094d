/**
 * `deno run -A bench/pipeline-loop.ts START_EPOCH_MS SECONDS`: the served pipeline (Predictor.predictMany on the
 * BUSI bench PNG, built as src/deno.ts builds it) in a loop, no HTTP; waits until START_EPOCH_MS, runs for
 * SECONDS and prints predictions per second. bench/parallel.ts runs one copy alone and two at once to measure
 * what two isolates can gain on this machine's cores before any HTTP or load generator is involved.
 */
import { DEFAULT_LIMITS } from '../src/config.ts';
import { createPredictor } from '../src/create-predictor.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { benchImages } from './images.ts';

const [startAt, seconds] = Deno.args.map(Number);
await startWasmBackend();
const { artifacts, card, seen, gate } = await readModelDir(BUNDLED_MODEL_DIR);
const predictor = await createPredictor(artifacts, card, await loadDenoDecoders(), seen, gate);
const [png] = await benchImages();
// Warm (JIT, allocator) before the start line, so copies started together measure the same steady state.
for (let i = 0; i < 30; i++) await predictor.predictMany([png.bytes], DEFAULT_LIMITS);
while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 1));
let count = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  await predictor.predictMany([png.bytes], DEFAULT_LIMITS);
  count++;
}
console.log(JSON.stringify({ predictionsPerSecond: count / ((performance.now() - t0) / 1000) }));
