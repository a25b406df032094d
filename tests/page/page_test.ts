import assert from 'node:assert/strict';
import { PAGE_ASSETS } from '../../src/page/assets.ts';
import { PAGE_FILES, renderAssets } from '../../src/page/render.ts';
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
  assert.equal(html.headers.get('vary'), 'Accept');
  const api = await app.request('/', { headers: { accept: 'application/json' } });
  assert.match(api.headers.get('content-type') ?? '', /json/);
  assert.equal(api.headers.get('vary'), 'Accept', 'caches must not hand the page to API clients or vice versa');
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

Deno.test('GET /model tells the page what uploads this server accepts', async () => {
  const predictor = tinyPredictor();
  const { app } = testApp(predictor, { maxBodyBytes: 1234, maxPixels: 5678 });
  await predictor;
  await new Promise((r) => setTimeout(r, 0)); // the app picks the predictor up in a then()
  const card = await (await app.request('/model')).json();
  assert.equal(card.serving.limits.maxBodyBytes, 1234);
  assert.equal(card.serving.limits.maxPixels, 5678);
  assert.equal(typeof card.serving.limits.maxSide, 'number');
});

Deno.test('the page uses no inline script or style and names only its own files', () => {
  const html = PAGE_ASSETS['index.html'].body;
  // The CSP (script-src/style-src 'self') would block these, so the page must not depend on them.
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline <script>');
  assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, 'inline style or event handler');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  for (const ref of refs) assert.match(ref, /^\/(page\/(app\.js|style\.css)|model|openapi\.json)$/, ref);
  // Every file input accepts exactly what the API reads; the camera one asks for the rear camera.
  const inputs = [...html.matchAll(/<input[^>]*type="file"[^>]*>/g)].map((m) => m[0]);
  assert.equal(inputs.length, 2);
  // Every format the registry decodes (docs/formats.md); the file picker also lists them by extension.
  for (const input of inputs) assert.match(input, /accept="image\/png,image\/jpeg,image\/bmp,image\/tiff,image\/gif/);
  assert.ok(inputs.some((i) => /application\/dicom/.test(i) && /\.dcm/.test(i)), 'the file picker offers DICOM');
  for (const input of inputs) assert.match(input, /image\/webp/);
  assert.ok(inputs.some((i) => /capture="environment"/.test(i)));
});

Deno.test('every control on the page has a label or an accessible name', () => {
  const html = PAGE_ASSETS['index.html'].body;
  for (const [, id] of html.matchAll(/<input[^>]*id="([^"]+)"/g)) {
    const type = html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))![0];
    if (/type="file"/.test(type)) continue; // hidden; opened by the labelled buttons
    assert.match(html, new RegExp(`<label[^>]*for="${id}"`), `input #${id} has no <label>`);
  }
  for (const [, body] of html.matchAll(/<button[^>]*>([\s\S]*?)<\/button>/g)) {
    assert.ok(body.replace(/<[^>]+>/g, '').trim().length > 0, 'a button without text');
  }
});
