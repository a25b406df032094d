import assert from 'node:assert/strict';
import { PAGE_ASSETS } from '../../src/page/assets.ts';
import { PAGE_FILES, renderAssets } from '../../scripts/build-page.ts';
import { testApp, tinyPredictor } from '../fixtures/app.ts';

const { app } = testApp(tinyPredictor());

Deno.test('src/page/assets.ts is up to date with static/page (run scripts/build-page.ts)', () => {
  const dir = new URL('../../static/page/', import.meta.url);
  const fresh = renderAssets((n) => Deno.readTextFileSync(new URL(n, dir)));
  assert.equal(Deno.readTextFileSync(new URL('../../src/page/assets.ts', import.meta.url)), fresh);
  assert.deepEqual(Object.keys(PAGE_ASSETS).sort(), Object.keys(PAGE_FILES).sort());
});

Deno.test('browsers get the page at /, API clients the JSON greeting', async () => {
  const html = await app.request('/', { headers: { accept: 'text/html,application/xhtml+xml' } });
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /text\/html/);
  const text = await html.text();
  assert.match(text, /Not a medical device/);
  assert.doesNotMatch(text, /https?:\/\/(?!localhost)/, 'no CDN or external resource');
  const api = await app.request('/', { headers: { accept: 'application/json' } });
  assert.match(api.headers.get('content-type') ?? '', /json/);
  assert.equal((await api.json()).routes.includes('/predict'), true);
});

Deno.test('the page files are served with types and security headers; unknown files 404', async () => {
  for (const [file, type] of [['app.js', /javascript/], ['style.css', /text\/css/]] as const) {
    const res = await app.request(`/page/${file}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', type);
    await res.body?.cancel();
  }
  const res = await app.request('/', { headers: { accept: 'text/html' } });
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  await res.body?.cancel();
  assert.equal((await app.request('/page/secret.txt')).status, 404);
});
