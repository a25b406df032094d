/** Cloudflare Workers entry (`wrangler deploy`): the same app as Deno, with wasm and model imported as modules. */
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { limitsFromEnv, securityFromEnv } from './config.ts';
import { createDecoders } from './image/codecs.ts';
import { createPredictor } from './model/load.ts';
import { CODEC_MODULES, MODEL_ARTIFACTS, MODEL_CARD } from './runtime/worker-assets.ts';
import { startWorkerWasmBackend } from './runtime/worker-tf.ts';
import type { AppEnv } from './types.ts';

let app: Hono<AppEnv> | undefined;

// Built on the first request: Workers hand environment variables to fetch(), not to module scope.
function appFor(env: Record<string, unknown>): Hono<AppEnv> {
  if (!app) {
    const predictor = startWorkerWasmBackend().then(() =>
      createPredictor(MODEL_ARTIFACTS, MODEL_CARD, createDecoders(CODEC_MODULES))
    );
    predictor.catch((err) => console.error(JSON.stringify({ event: 'model_load_failed', error: String(err) })));
    const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    app = createApp({ predictor, limits: limitsFromEnv(strings), security: securityFromEnv(strings) });
  }
  return app;
}

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
};
