import { Hono } from 'hono';
import type { AppEnv } from '../types.ts';

/** GET /: a greeting that points API clients at the routes. */
export function rootRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', (c) =>
    c.json({
      name: 'breast-tumour-classifier',
      message: 'POST an ultrasound image as multipart field "image" to /predict. Research use only: not a medical device.',
      routes: ['/predict', '/health', '/ready', '/model', '/openapi.json'],
    })
  );
  return routes;
}
