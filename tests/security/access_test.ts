import assert from 'node:assert/strict';
import { securityFromEnv } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';
import { tinyPredictor } from '../fixtures/app.ts';
import { gradientPng, multipart } from '../fixtures/images.ts';

const predictor = tinyPredictor();
await predictor; // apps built below see a loaded model at once
const png = await gradientPng();
const post = (
  app: ReturnType<typeof createApp>,
  headers: Record<string, string> = {},
  body: BodyInit = multipart([{ name: 'image', bytes: png }]),
) => app.request('/predict', { method: 'POST', body, headers });
const quiet = () => {};

Deno.test('with API_KEY set, /predict needs the key (401 JSON with a challenge); health stays open', async () => {
  const app = createApp({ predictor, log: quiet, security: securityFromEnv({ API_KEY: 'k1,k2' }) });
  const none = await post(app);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
  assert.equal((await none.json()).error.code, 'unauthorized');
  const wrong = await post(app, { authorization: 'Bearer nope' });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error.code, 'unauthorized');
  assert.equal((await post(app, { authorization: 'Bearer k2' })).status, 200);
  assert.equal((await app.request('/health')).status, 200);
});

Deno.test('CORS answers only the allow-listed origins', async () => {
  const app = createApp({
    predictor,
    log: quiet,
    security: securityFromEnv({ CORS_ORIGINS: 'https://lab.example' }),
  });
  const ok = await app.request('/predict', {
    method: 'OPTIONS',
    headers: { origin: 'https://lab.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://lab.example');
  const other = await app.request('/health', { headers: { origin: 'https://evil.example' } });
  assert.notEqual(other.headers.get('access-control-allow-origin'), 'https://evil.example');
  await other.body?.cancel();
});

Deno.test('the per-client rate limit answers 429 with Retry-After, per client (trusted proxy header)', async () => {
  const app = createApp({
    predictor,
    log: quiet,
    security: securityFromEnv({ RATE_LIMIT_PER_MINUTE: '6', CLIENT_IP_HEADER: 'X-Forwarded-For' }),
  });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await post(app, { 'x-forwarded-for': '10.0.0.1' });
    statuses.push(res.status);
    if (res.status === 429) {
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      assert.equal((await res.json()).error.code, 'rate_limited');
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 429, 429]); // burst = 6/6 = 1
  const other = await post(app, { 'x-forwarded-for': '10.0.0.2' });
  assert.equal(other.status, 200);
  await other.body?.cancel();
  // A client-written first entry does not make a new client: only the proxy's own (last) entry counts.
  const forged = await post(app, { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' });
  assert.equal(forged.status, 429);
  await forged.body?.cancel();
});

Deno.test('without a trusted proxy header, client-sent address headers cannot escape the limit', async () => {
  const app = createApp({ predictor, log: quiet, security: securityFromEnv({ RATE_LIMIT_PER_MINUTE: '6' }) });
  // Deno serve hands the peer address to the app as env.remoteAddr (ServeHandlerInfo).
  const from = (ip: string, headers: Record<string, string>) =>
    app.request('/predict', { method: 'POST', body: multipart([{ name: 'image', bytes: png }]), headers }, {
      remoteAddr: { hostname: ip },
    });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await from('192.0.2.1', {
      'cf-connecting-ip': `10.9.9.${i}`,
      'x-forwarded-for': `10.8.8.${i}`,
    });
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 429, 429, 429]);
  const otherPeer = await from('192.0.2.2', {});
  assert.equal(otherPeer.status, 200);
  await otherPeer.body?.cancel();
});

Deno.test('a body that never finishes is cut at the deadline (408), not left hanging', async () => {
  const app = createApp({ predictor, log: quiet, limits: { deadlineMs: 300 } });
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(
        new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\n'),
      );
    },
  });
  const started = Date.now();
  const res = await app.request(
    '/predict',
    {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      duplex: 'half',
    } as RequestInit,
  );
  assert.equal(res.status, 408);
  assert.equal((await res.json()).error.code, 'timeout');
  assert.ok(Date.now() - started < 5000);
});

Deno.test('images not started before the deadline get their own timeout entry', async () => {
  const app = createApp({ predictor, log: quiet, limits: { deadlineMs: 0.001 } });
  const res = await post(app, {}, multipart([{ name: 'image', bytes: png }, { name: 'image', bytes: png }]));
  const body = await res.json();
  assert.equal(res.status, 200);
  assert.ok(
    body.results.every((r: { status?: number; error?: { code: string } }) =>
      r.status === 503 && r.error?.code === 'timeout'
    ),
  );
});

Deno.test('security headers are on API responses too', async () => {
  const app = createApp({ predictor, log: quiet });
  const res = await app.request('/health');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  await res.body?.cancel();
});

Deno.test('on Workers, RATE_LIMIT_BINDING counts through the rate-limiting binding (keys leave only as digests)', async () => {
  const seen: string[] = [];
  const allowed = new Set(['ip:198.51.100.7']);
  const binding = {
    limit: ({ key }: { key: string }) => (seen.push(key), Promise.resolve({ success: allowed.has(key) })),
  };
  const app = createApp({
    predictor,
    log: quiet,
    security: securityFromEnv({ RATE_LIMIT_BINDING: 'PREDICT_LIMITER' }),
  });
  // Workers pass the env (with bindings) as the second argument of fetch; Cloudflare sets cf-connecting-ip.
  const send = (ip: string) => {
    const req = new Request('http://x/predict', {
      method: 'POST',
      body: multipart([{ name: 'image', bytes: png }]),
      headers: { 'cf-connecting-ip': ip },
    });
    Object.defineProperty(req, 'cf', { value: {} }); // what the Workers runtime attaches
    return app.fetch(req, { PREDICT_LIMITER: binding });
  };
  const ok = await send('198.51.100.7');
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const limited = await send('203.0.113.5');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '60');
  assert.equal((await limited.json()).error.code, 'rate_limited');
  assert.deepEqual(seen, ['ip:198.51.100.7', 'ip:203.0.113.5']);

  const keyed = createApp({
    predictor,
    log: quiet,
    security: securityFromEnv({ RATE_LIMIT_BINDING: 'PREDICT_LIMITER', API_KEY: 'k-secret-0123456789' }),
  });
  const res = await keyed.request('/predict', {
    method: 'POST',
    body: multipart([{ name: 'image', bytes: png }]),
    headers: { authorization: 'Bearer k-secret-0123456789' },
  }, { PREDICT_LIMITER: binding });
  await res.body?.cancel();
  assert.match(seen.at(-1)!, /^key:[0-9a-f]+$/);
  assert.ok(!seen.at(-1)!.includes('secret'));

  // Without the binding (Deno, or a missing wrangler entry) requests pass; the in-memory limit is the fallback.
  const unbound = await app.request('/predict', {
    method: 'POST',
    body: multipart([{ name: 'image', bytes: png }]),
  });
  assert.equal(unbound.status, 200);
  await unbound.body?.cancel();
});
