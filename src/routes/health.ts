import { getBackend } from '@tensorflow/tfjs-core';
import { Hono } from 'hono';
import { ApiError, errorBody } from '../errors.ts';
import type { AppEnv } from '../types.ts';

/** GET /health (alive; never touches the model) and GET /ready (503 until the model is loaded and warm). */
export function healthRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/health', (c) => c.json({ status: 'ok' }));
  routes.get('/ready', (c) => {
    const predictor = c.get('predictor');
    if (predictor) {
      const { name, version } = predictor.card;
      return c.json({ status: 'ready', model: { name, version }, backend: getBackend() });
    }
    const failure = c.get('loadFailure');
    return c.json(
      { status: failure ? 'failed' : 'loading', ...errorBody(new ApiError(503, 'not_ready', failure ?? 'Model is loading')).body },
      503,
      { 'Retry-After': '1' },
    );
  });
  return routes;
}
