import { Hono } from 'hono';
import { PAGE_ASSETS } from '../page/assets.ts';
import { ApiError, errorBody } from '../errors.ts';
import type { AppEnv } from '../types.ts';

// Browsers navigating to a page send text/html in Accept; fetch(), curl and API clients do not.
function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? '').toLowerCase().includes('text/html');
}

/** The web page: browsers asking for `/` get it, API clients keep the JSON greeting; `/page/*` serves its files. */
export function pageRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c, next) => {
    if (!wantsHtml(c.req.header('accept'))) {
      await next();
      // Both answers live at one URL, so caches must key on Accept.
      c.header('Vary', 'Accept');
      return;
    }
    const { body, type } = PAGE_ASSETS['index.html'];
    return c.body(body, 200, { 'content-type': type, vary: 'Accept', 'cache-control': 'no-cache' });
  });
  // Browsers ask for /favicon.ico on their own; an SVG icon under that name stops the 404 in every log.
  routes.get('/favicon.ico', (c) => {
    const { body, type } = PAGE_ASSETS['icon.svg'];
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  routes.get('/page/:file', (c) => {
    const asset = PAGE_ASSETS[c.req.param('file')];
    if (!asset || c.req.param('file') === 'index.html') {
      return c.json(errorBody(new ApiError(404, 'not_found', 'No such page file')).body, 404);
    }
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=300' });
  });
  return routes;
}
