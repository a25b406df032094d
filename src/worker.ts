/** Cloudflare Workers entry (`wrangler dev` / `wrangler deploy`): the same app as Deno, wasm and model imported as modules. */
import type { ExecutionContext, Hono } from 'hono';
import { createApp } from './app.ts';
import { limitsFromEnv, securityFromEnv } from './config.ts';
import { createDecoders } from './image/codecs.ts';
import { createPredictor } from './create-predictor.ts';
import type { Predictor } from './predictor.ts';
import { CODEC_MODULES, GATE_JSON, MODEL_CARD, modelArtifacts, SEEN_HASHES, TFJS_SIMD_MODULE } from './runtime/worker-assets.ts';
import { startWorkerWasmBackend } from './runtime/worker-tf.ts';
import type { AppEnv } from './types.ts';

async function loadPredictor(): Promise<Predictor> {
  const started = performance.now();
  const backend = await startWorkerWasmBackend(TFJS_SIMD_MODULE);
  const predictor = await createPredictor(modelArtifacts(), MODEL_CARD, createDecoders(CODEC_MODULES), SEEN_HASHES, GATE_JSON);
  // On Cloudflare the clock only advances at I/O, so this is coarse there; bench/workerd.ts times from outside.
  console.log(JSON.stringify({
    event: 'ready',
    model: predictor.card.version,
    backend: backend.backend,
    simd: backend.simd,
    ms: Math.round(performance.now() - started),
  }));
  return predictor;
}

let app: Hono<AppEnv> | undefined;
let loading: Promise<unknown> | undefined;

// Built on the first request: Workers hand vars to fetch(), not to module scope, and module scope may not
// start async work that outlives it. The model then loads while /health already answers.
function appFor(env: Record<string, unknown>, ctx: ExecutionContext): Hono<AppEnv> {
  if (!app) {
    // Vars and secrets are strings; bindings of other kinds are not configuration.
    const strings = Object.entries(env).filter((entry): entry is [string, string] =>
      typeof entry[1] === 'string'
    );
    const vars = Object.fromEntries(strings);
    const predictor = loadPredictor();
    loading = predictor.then(() => (loading = undefined), () => (loading = undefined));
    // Keeps the isolate working on the load after the first response went out.
    const logFailure = (err: unknown) =>
      console.error(JSON.stringify({ event: 'model_load_failed', error: String(err) }));
    ctx.waitUntil(predictor.catch(logFailure));
    app = createApp({
      predictor,
      limits: limitsFromEnv(vars),
      security: securityFromEnv(vars),
      // Load tests only (var EXPOSE_MEMORY=1): the tfjs tensor count; Workers expose no process memory.
      debugMemory: vars.EXPOSE_MEMORY === '1' ? () => ({}) : undefined,
    });
  }
  return app;
}

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const worker = appFor(env, ctx);
    // Unlike a Deno server, a fresh isolate gets traffic without a readiness probe: a /predict arriving
    // while the model loads (~0.2 s) waits for it instead of answering 503. /health and /ready never wait.
    if (loading && new URL(request.url).pathname === '/predict') await loading;
    return worker.fetch(request, env, ctx);
  },
};
