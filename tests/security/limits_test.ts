/**
 * Limits, headers and access control end to end: every limit set from its environment variable trips with its
 * own JSON error; every kind of answer carries the security headers; CORS and the API key work together; the
 * real server cuts a stalled upload and rate-limits by the connection's address, whatever headers say.
 */
import assert from 'node:assert/strict';
import { createApp } from '../../src/app.ts';
import { limitsFromEnv, securityFromEnv } from '../../src/config.ts';
import { hasBundledModel, tinyPredictor } from '../fixtures/app.ts';
import { gradientJpeg, gradientPng, multipart } from '../fixtures/images.ts';
import { startServer } from '../fixtures/server.ts';

const predictor = tinyPredictor();
await predictor;
// A synthetic image: the input gate would refuse it, so real-server requests here send check=off (these tests
// are about limits, not the gate).
const png = await gradientPng(64, 48);
const quiet = () => {};
const form = (...images: Uint8Array[]) => multipart(images.map((bytes) => ({ name: 'image', bytes })));

async function errorOf(res: Response): Promise<string> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return `${res.status} ${(await res.json()).error?.code}`;
}

Deno.test('each limit comes from its environment variable and answers with its own error', async () => {
  const limits = limitsFromEnv({
    MAX_BODY_BYTES: '60000',
    MAX_PIXELS: '2500',
    MAX_SIDE: '60',
    MAX_IMAGES_PER_REQUEST: '2',
    DEADLINE_MS: '250',
  });
  assert.deepEqual(limits, {
    maxBodyBytes: 60000,
    maxPixels: 2500,
    maxSide: 60,
    maxImagesPerRequest: 2,
    deadlineMs: 250,
  });
  const app = createApp({ predictor, log: quiet, limits });
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    app.request('/predict', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

  assert.equal((await post(form(await gradientPng(40, 40)))).status, 200); // 1,600 px, sides ≤ 60
  assert.equal(await errorOf(await post(form(await gradientPng(61, 10)))), '413 too_many_pixels'); // side
  assert.equal(await errorOf(await post(form(await gradientPng(55, 55)))), '413 too_many_pixels'); // area
  assert.equal(await errorOf(await post(form(await gradientJpeg(10, 70)))), '413 too_many_pixels');
  assert.equal(await errorOf(await post(form(png, png, png))), '413 too_many_images');
  assert.equal(await errorOf(await post(form(new Uint8Array(70_000)))), '413 payload_too_large');
  // Without a Content-Length (chunked upload) the limit is enforced while reading.
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(
        new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\n'),
      );
      for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(10_000));
      c.close();
    },
  });
  assert.equal(
    await errorOf(await post(chunked, { 'content-type': 'multipart/form-data; boundary=b' })),
    '413 payload_too_large',
  );
  // A body that stalls is cut at DEADLINE_MS.
  const stalled = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('--b\r\n')),
  });
  assert.equal(
    await errorOf(await post(stalled, { 'content-type': 'multipart/form-data; boundary=b' })),
    '408 timeout',
  );
});

Deno.test('nonsense limit and security settings stop the server at start-up', () => {
  for (
    const env of [{ MAX_BODY_BYTES: 'lots' }, { MAX_PIXELS: '-1' }, { DEADLINE_MS: '0' }, {
      MAX_IMAGES_PER_REQUEST: 'NaN',
    }]
  ) {
    assert.throws(() => limitsFromEnv(env), /must be a positive number/, JSON.stringify(env));
  }
  assert.throws(() => securityFromEnv({ RATE_LIMIT_PER_MINUTE: '-5' }), /RATE_LIMIT_PER_MINUTE/);
  assert.deepEqual(securityFromEnv({}), {
    apiKeys: [],
    corsOrigins: [],
    rateLimitPerMinute: 0,
    clientIpHeader: '',
    rateLimitBinding: '',
  });
});

Deno.test('every kind of answer carries the security headers', async () => {
  const app = createApp({
    predictor,
    log: quiet,
    limits: { maxBodyBytes: 50_000, deadlineMs: 200 },
    security: securityFromEnv({ API_KEY: 'k-0123456789abcdef', RATE_LIMIT_PER_MINUTE: '6' }),
  });
  const auth = { authorization: 'Bearer k-0123456789abcdef' };
  const answers: Record<string, Response> = {
    page: await app.request('/'),
    health: await app.request('/health'),
    prediction: await app.request('/predict', { method: 'POST', body: form(png), headers: auth }),
    '429': await app.request('/predict', { method: 'POST', body: form(png), headers: auth }),
    '401': await app.request('/predict', { method: 'POST', body: form(png) }),
    '404': await app.request('/nowhere'),
  };
  const open = createApp({ predictor, log: quiet, limits: { maxBodyBytes: 50_000 } });
  answers['405'] = await open.request('/predict', { method: 'PUT' });
  answers['400'] = await open.request('/predict', {
    method: 'POST',
    body: 'x',
    headers: { 'content-type': 'text/plain' },
  });
  answers['413'] = await open.request('/predict', { method: 'POST', body: form(new Uint8Array(60_000)) });
  answers['415'] = await open.request('/predict', {
    method: 'POST',
    body: form(new TextEncoder().encode('%PDF-1.4 not an image')),
  });
  answers['422'] = await open.request('/predict', { method: 'POST', body: form(png.subarray(0, 60)) });
  assert.equal(answers.prediction.status, 200);
  for (const [name, res] of Object.entries(answers)) {
    if (/^\d{3}$/.test(name)) assert.equal(res.status, Number(name), name);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
    assert.match(
      res.headers.get('content-security-policy') ?? '',
      /default-src 'self'.*frame-ancestors 'none'/,
      name,
    );
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', name);
    assert.ok(res.headers.get('x-frame-options'), name);
    await res.body?.cancel();
  }
});

Deno.test('CORS and the API key work together: preflight needs no key, errors stay readable cross-origin', async () => {
  const app = createApp({
    predictor,
    log: quiet,
    security: securityFromEnv({
      API_KEY: 'k-0123456789abcdef',
      CORS_ORIGINS: 'https://lab.example, https://ward.example',
    }),
  });
  const preflight = await app.request('/predict', {
    method: 'OPTIONS',
    headers: {
      origin: 'https://ward.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://ward.example');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
  const denied = await app.request('/predict', {
    method: 'POST',
    body: form(png),
    headers: { origin: 'https://lab.example' },
  });
  assert.equal(denied.status, 401);
  assert.equal(
    denied.headers.get('access-control-allow-origin'),
    'https://lab.example',
    'the browser may read the 401',
  );
  await denied.body?.cancel();
  const foreign = await app.request('/predict', {
    method: 'POST',
    body: form(png),
    headers: { origin: 'https://evil.example', authorization: 'Bearer k-0123456789abcdef' },
  });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'no CORS grant for other origins');
  await foreign.body?.cancel();
});

Deno.test('the memory probe is off unless asked for', async () => {
  const app = createApp({ predictor, log: quiet });
  assert.equal((await app.request('/debug/memory')).status, 404);
  const probed = createApp({ predictor, log: quiet, debugMemory: () => ({ rss: 1 }) });
  const body = await (await probed.request('/debug/memory')).json();
  assert.equal(body.rss, 1);
  assert.equal(typeof body.tensors, 'number');
});

/** Sends a request by hand over TCP and returns the status line, or '' if the server said nothing in `ms`. */
async function rawStatus(url: string, head: string, ms: number): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(head));
    const buf = new Uint8Array(4096);
    const read = conn.read(buf);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([read, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
    clearTimeout(timer);
    return n ? new TextDecoder().decode(buf.subarray(0, n)).split('\r\n')[0] : '';
  } finally {
    conn.close();
  }
}

const withModel = await hasBundledModel();
Deno.test({
  name: 'real server: stalled uploads are cut, keys checked, clients limited by their connection address',
  ignore: !withModel,
}, async () => {
  const server = await startServer({
    DEADLINE_MS: '400',
    API_KEY: 'k-0123456789abcdef',
    RATE_LIMIT_PER_MINUTE: '6',
  });
  try {
    // Headers promise 100 kB; 10 bytes arrive; then nothing.
    const stalled = await rawStatus(
      server.url,
      'POST /predict HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k-0123456789abcdef\r\n' +
        'Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nabcd',
      10_000,
    );
    assert.match(stalled, /^HTTP\/1\.1 408/, `stalled upload got "${stalled}"`);

    assert.equal(
      await fetch(`${server.url}/health`).then(async (r) => (await r.body?.cancel(), r.status)),
      200,
    );
    const noKey = await fetch(`${server.url}/predict?check=off`, { method: 'POST', body: form(png) });
    assert.equal(noKey.status, 401);
    await noKey.body?.cancel();

    // With keys, the limit counts per key (6/min, burst 1): the stalled upload spent this key's token, and
    // address headers, forged or not, change nothing.
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/predict?check=off`, {
        method: 'POST',
        body: form(png),
        headers: {
          authorization: 'Bearer k-0123456789abcdef',
          'x-forwarded-for': `10.0.0.${i}`,
          'cf-connecting-ip': `10.1.0.${i}`,
        },
      });
      statuses.push(res.status);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [429, 429]);
  } finally {
    await server.stop();
  }
});

Deno.test({
  name: 'real server: 50 stalled uploads do not starve a normal request, and each is cut at the deadline',
  ignore: !withModel,
}, async () => {
  const server = await startServer({ DEADLINE_MS: '1500' });
  try {
    const head = 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
      'Content-Length: 100000\r\n\r\n--b\r\n';
    const stalled = Array.from({ length: 50 }, () => rawStatus(server.url, head, 15_000));
    await new Promise((r) => setTimeout(r, 200)); // all 50 are waiting on their bodies now
    const res = await fetch(`${server.url}/predict?check=off`, { method: 'POST', body: form(png) });
    assert.equal(res.status, 200, 'a normal request is served while 50 uploads stall');
    await res.body?.cancel();
    const lines = await Promise.all(stalled);
    assert.deepEqual(new Set(lines.map((l) => l.slice(0, 12))), new Set(['HTTP/1.1 408']), lines.join('; '));
  } finally {
    await server.stop();
  }
});

Deno.test({
  name: 'real server: without keys the limit follows the peer address, not forged headers',
  ignore: !withModel,
}, async () => {
  const server = await startServer({ RATE_LIMIT_PER_MINUTE: '6' });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/predict?check=off`, {
        method: 'POST',
        body: form(png),
        headers: {
          'x-forwarded-for': `10.0.0.${i}`,
          'cf-connecting-ip': `10.1.0.${i}`,
          'x-real-ip': `10.2.0.${i}`,
        },
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 429, 429]);
  } finally {
    await server.stop();
  }
});
