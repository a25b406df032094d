/** Deno entry: `deno serve src/deno.ts` (see deno.json tasks). Loads the model in the background so
 * /health answers at once and /ready turns 200 when the model is warm. */
import { createApp } from './app.ts';
import { limitsFromEnv, securityFromEnv, serveAddressFromEnv } from './config.ts';
import { createPredictor } from './create-predictor.ts';
import { loadDenoDecoders } from './runtime/deno-wasm.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from './runtime/deno-model.ts';
import { startWasmBackend } from './runtime/deno-tf.ts';

const env = Deno.env.toObject();
// deno serve reads DENO_SERVE_ADDRESS once this module has run, so setting it here makes it honour PORT.
const address = serveAddressFromEnv(env);
if (address) Deno.env.set('DENO_SERVE_ADDRESS', address);

async function loadPredictor() {
  const started = performance.now();
  const [{ artifacts, card, seen, gate }, decoders] = await Promise.all([
    readModelDir(env.MODEL_DIR ?? BUNDLED_MODEL_DIR),
    loadDenoDecoders(),
    startWasmBackend(),
  ]);
  const predictor = await createPredictor(artifacts, card, decoders, seen, gate);
  console.log(JSON.stringify({ event: 'ready', model: predictor.card.version, ms: Math.round(performance.now() - started) }));
  return predictor;
}

const predictor = loadPredictor();
predictor.catch((err) => console.error(JSON.stringify({ event: 'model_load_failed', error: String(err) })));

const app = createApp({
  predictor,
  limits: limitsFromEnv(env),
  security: securityFromEnv(env),
  // Load tests only (EXPOSE_MEMORY=1): lets bench/load.mjs check tensors and memory return to baseline.
  debugMemory: env.EXPOSE_MEMORY === '1' ? () => ({ rss: Deno.memoryUsage().rss, heapUsed: Deno.memoryUsage().heapUsed }) : undefined,
});

export default { fetch: app.fetch } satisfies Deno.ServeDefaultExport;
