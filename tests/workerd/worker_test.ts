/**
 * The Worker in real workerd (the `wrangler deploy --dry-run` bundle served on 127.0.0.1) answers every route
 * and every error exactly as the in-process Deno app does for the same bytes, with the same limits.
 */
import assert from 'node:assert/strict';
import { Image } from 'imagescript';
import { createApp } from '../../src/app.ts';
import { limitsFromEnv } from '../../src/config.ts';
import { bundledPredictor, hasBundledModel } from '../fixtures/app.ts';
import { DATA_DIR, hasData, readData } from '../fixtures/data.ts';
import { encodeDicom, pixelModule } from '../fixtures/dicom.ts';
import { encodeWebp } from '../fixtures/encoders.ts';
import { gradientJpeg, gradientPng, multipart, pngHeaderDeclaring } from '../fixtures/images.ts';
import { rawPost, startWorkerd, waitReady, type WorkerdServer, wranglerVars } from './launch.ts';

const ready = await hasBundledModel();
if (!ready) console.warn('skipping workerd parity tests: they need the trained model in static/model');
const withData = hasData();
if (ready && !withData) {
  console.warn(`workerd parity tests: no data at ${DATA_DIR}, real-image steps skipped`);
}
const options = { ignore: !ready, sanitizeResources: false, sanitizeOps: false };

// Grayscale and colour PNGs from both hospitals, three BUSI classes.
const DATA_IMAGES = [
  'busi/benign/benign (1).png',
  'busi/malignant/malignant (1).png',
  'busi/normal/normal (1).png',
  'breast-lesions-usg/benign/case001.png',
  'breast-lesions-usg/malignant/case005.png',
];

/** A BUSI image whose stored PNG kept three channels (manifest: stored_as=original). */
function colourDataImage(): string {
  const rows = Deno.readTextFileSync(`${DATA_DIR}/busi/manifest.csv`).split('\n').slice(1);
  const row = rows.find((r) => r.split(',')[4] === 'original');
  if (!row) throw new Error('no colour image in the BUSI manifest');
  return `busi/${row.split(',')[0]}`;
}

type App = ReturnType<typeof createApp>;
type Case = { name: string; path: string; init?: () => RequestInit };

/** Drops what legitimately differs between two servers: per-stage timings. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).filter(([k]) => k !== 'timings').map(([k, v]) => [k, withoutTimings(v)]),
    );
  }
  return value;
}

const COMPARED_HEADERS = [
  'content-type',
  'allow',
  'retry-after',
  'vary',
  'cache-control',
  'content-security-policy',
  'x-content-type-options',
];

/** Sends the same request to workerd and to the in-process app; asserts status, headers and body agree. */
async function assertSameAnswer(worker: WorkerdServer, app: App, { name, path, init }: Case) {
  const remote = await fetch(`${worker.url}${path}`, init?.());
  const local = await app.request(path, init?.());
  assert.equal(remote.status, local.status, `${name}: status`);
  for (const header of COMPARED_HEADERS) {
    assert.equal(remote.headers.get(header), local.headers.get(header), `${name}: ${header}`);
  }
  const [remoteText, localText] = [await remote.text(), await local.text()];
  if ((local.headers.get('content-type') ?? '').includes('json')) {
    assert.deepEqual(withoutTimings(JSON.parse(remoteText)), withoutTimings(JSON.parse(localText)), name);
  } else {
    assert.equal(remoteText, localText, name);
  }
  return { status: remote.status, body: remoteText };
}

const post = (parts: Parameters<typeof multipart>[0], query = '') => ({
  path: `/predict${query}`,
  init: () => ({ method: 'POST', body: multipart(parts) }),
});

function localApp(vars: Record<string, string>) {
  const predictor = bundledPredictor();
  return { app: createApp({ predictor, limits: limitsFromEnv(vars), log: () => {} }), predictor };
}

Deno.test({
  name: 'workerd: every route and error answers as the Deno app, same probability per image',
  ...options,
}, async (t) => {
  const vars = wranglerVars();
  const { app, predictor } = localApp(vars);
  // direct: bench/workerd.ts measures through the socket straight to the Worker too; it must answer alike.
  const worker = await startWorkerd({ direct: true });
  try {
    await predictor;
    await t.step('starts tfjs on wasm with SIMD and says so', async () => {
      const body = await waitReady(worker.url);
      assert.equal(body.backend, 'wasm');
      const line = worker.output().split('\n').find((l) => l.startsWith('{"event":"ready"'));
      assert.ok(line, `no ready event in the Worker's log:\n${worker.output()}`);
      assert.deepEqual({ ...JSON.parse(line), ms: 0 }, {
        event: 'ready',
        model: (await (await predictor).card).version,
        backend: 'wasm',
        simd: true,
        ms: 0,
      });
    });

    await t.step({
      name: 'real images: same answer, same probability (PNG and JPEG)',
      ignore: !withData,
      fn: async () => {
        const files = [...DATA_IMAGES, colourDataImage()];
        const probabilities: number[] = [];
        const seen: boolean[] = [];
        for (const file of files) {
          const { body } = await assertSameAnswer(worker, app, {
            name: file,
            ...post([{ name: 'image', bytes: readData(file) }]),
          });
          probabilities.push(JSON.parse(body).probability);
          seen.push(JSON.parse(body).seenInTraining);
        }
        // The bundle carries seen.bin: external images were never trained on; answers say so either way.
        assert.ok(seen.every((s) => typeof s === 'boolean'), `seenInTraining: ${seen}`);
        assert.equal(seen[files.indexOf('breast-lesions-usg/benign/case001.png')], false);
        // The same scans as JPEG (no JPEG in the data set): exercises the other codec on real content.
        for (const file of DATA_IMAGES.slice(0, 2)) {
          const jpeg = await (await Image.decode(readData(file))).encodeJPEG(90);
          await assertSameAnswer(worker, app, {
            name: `${file} as JPEG`,
            ...post([{ name: 'image', bytes: jpeg }]),
          });
        }
        // Guards against a constant answer making the comparison trivial.
        assert.ok(
          new Set(probabilities).size > 1,
          `probabilities should differ across images: ${probabilities}`,
        );
      },
    });

    await t.step('heatmap and several images per request', async () => {
      const bytes = withData ? readData(DATA_IMAGES[1]) : await gradientPng(300, 240);
      await assertSameAnswer(worker, app, {
        name: 'explain',
        ...post([{ name: 'image', bytes }], '?explain=true'),
      });
      const mixed = [{ name: 'image', bytes }, {
        name: 'image',
        bytes: new TextEncoder().encode('%PDF-1.4 not an image'),
      }, {
        name: 'image',
        bytes: await gradientJpeg(300, 200),
      }];
      await assertSameAnswer(worker, app, { name: 'multi-image', ...post(mixed) });
    });

    await t.step('DICOM (mono, JPEG Baseline, cine frame=2, refused syntax) and WebP: same answers', async () => {
      const gray = Uint8Array.from({ length: 160 * 120 }, (_, i) => (i * 7 + (i >> 7)) % 256);
      const image = new Image(160, 120);
      gray.forEach((v, i) => image.bitmap.set([v, v, v, 255], i * 4));
      const jpegFrame = await image.encodeJPEG(95);
      const files: [string, Uint8Array, string][] = [
        ['mono', encodeDicom(pixelModule(160, 120), gray), ''],
        ['JPEG Baseline', encodeDicom(pixelModule(160, 120, { samples: 3, photometric: 'YBR_FULL_422' }), { frames: [jpegFrame] }), ''],
        ['cine', encodeDicom(pixelModule(160, 120, { frames: 2 }), Uint8Array.from([...gray, ...gray.map((v) => 255 - v)]), { syntax: 'implicit' }), '?frame=2'],
        ['JPEG 2000', encodeDicom(pixelModule(160, 120), gray, { syntax: '1.2.840.10008.1.2.4.90' }), ''],
        ['WebP lossless', await encodeWebp({ width: 160, height: 120, data: gray }, true), ''],
        ['WebP lossy', await encodeWebp({ width: 160, height: 120, data: gray }, false), ''],
      ];
      for (const [name, bytes, query] of files) {
        const { status } = await assertSameAnswer(worker, app, { name, ...post([{ name: 'image', bytes }], `${query}${query ? '&' : '?'}check=off`) });
        assert.equal(status, name === 'JPEG 2000' ? 415 : 200, name);
      }
    });

    await t.step('box mode: roi field and query, heatmap, clipped and invalid boxes', async () => {
      const bytes = withData ? readData(DATA_IMAGES[1]) : await gradientPng(300, 240);
      const image = { name: 'image', bytes };
      const boxes: [string, Parameters<typeof multipart>[0], string, number][] = [
        // check=off: these boxes are not on the lesion, and the input gate is not what this step tests.
        ['roi field + explain', [image, { name: 'roi', text: '40,30,120,90' }], '?explain=true&check=off', 200],
        ['roi query', [image], '?roi=40,30,120,90&check=off', 200],
        ['roi partly outside', [image, { name: 'roi', text: '-20,-20,100,100' }], '?check=off', 200],
        ['roi per image', [image, image, { name: 'roi', text: '40,30,120,90' }, { name: 'roi', text: '' }], '?check=off', 200],
        ['roi malformed', [image, { name: 'roi', text: '1,2,3' }], '', 422],
        ['roi outside', [image, { name: 'roi', text: '5000,0,20,20' }], '', 422],
        ['roi count mismatch', [image, image, { name: 'roi', text: '1,2,30,30' }], '', 400],
      ];
      for (const [name, parts, query, status] of boxes) {
        const answer = await assertSameAnswer(worker, app, { name, ...post(parts, query) });
        assert.equal(answer.status, status, name);
        if (status === 200 && parts.length === 2) assert.equal(JSON.parse(answer.body).mode, 'roi', name);
      }
    });

    await t.step('errors: 400, 404, 405, 413, 415, 422', async () => {
      const png = await gradientPng(120, 90);
      const jpeg = await gradientJpeg(300, 200);
      const heif = new TextEncoder().encode('\0\0\0\x18ftypheic');
      const pixelsOver = Math.ceil(Math.sqrt(Number(vars.MAX_PIXELS ?? 8_000_000))) + 1;
      const cases: (Case & { status: number; code?: string })[] = [
        {
          name: 'not multipart',
          path: '/predict',
          init: () => ({ method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } }),
          status: 400,
        },
        { name: 'no image field', ...post([{ name: 'file', bytes: jpeg }]), status: 400 },
        { name: 'image as text', ...post([{ name: 'image', text: 'hello' }]), status: 400 },
        {
          name: 'GET /predict',
          path: '/predict',
          init: () => ({ method: 'GET' }),
          status: 405,
          code: 'method_not_allowed',
        },
        {
          name: '20000×20000 header',
          ...post([{ name: 'image', bytes: pngHeaderDeclaring(20000, 20000) }]),
          status: 413,
          code: 'too_many_pixels',
        },
        {
          name: 'just over MAX_PIXELS',
          ...post([{ name: 'image', bytes: pngHeaderDeclaring(pixelsOver, pixelsOver) }]),
          status: 413,
          code: 'too_many_pixels',
        },
        {
          name: 'unknown format',
          ...post([{ name: 'image', bytes: new TextEncoder().encode('%PDF-1.4 not an image') }]),
          status: 415,
          code: 'unsupported_media_type',
        },
        {
          name: 'HEIF',
          ...post([{ name: 'image', bytes: heif }]),
          status: 415,
          code: 'unsupported_media_type',
        },
        {
          name: 'truncated JPEG',
          ...post([{ name: 'image', bytes: jpeg.slice(0, 200) }]),
          status: 422,
          code: 'corrupt_image',
        },
        {
          name: 'truncated PNG',
          ...post([{ name: 'image', bytes: png.slice(0, png.length - 40) }]),
          status: 422,
          code: 'corrupt_image',
        },
        { name: 'unknown route', path: '/nope', status: 404, code: 'not_found' },
      ];
      for (const c of cases) {
        const { status, body } = await assertSameAnswer(worker, app, c);
        assert.equal(status, c.status, `${c.name}: ${body.slice(0, 200)}`);
        const error = JSON.parse(body).error;
        assert.equal(typeof error?.message, 'string', `${c.name}: error body`);
        if (c.code) assert.equal(error.code, c.code, c.name);
      }
    });

    await t.step('other routes: health, ready, model card, OpenAPI, greeting, page', async () => {
      const html = () => ({ headers: { accept: 'text/html' } });
      for (
        const path of ['/health', '/ready', '/model', '/model?full=1', '/openapi.json', '/', '/page/app.js', '/page/style.css', '/favicon.ico']
      ) {
        const { status } = await assertSameAnswer(worker, app, { name: path, path });
        assert.equal(status, 200, path);
      }
      await assertSameAnswer(worker, app, { name: 'page', path: '/', init: html });
    });

    await t.step('the direct socket (no Miniflare entry worker) answers as the Deno app too', async () => {
      assert.ok(worker.directUrl && worker.directUrl !== worker.url, `directUrl: ${worker.directUrl}`);
      const direct = { ...worker, url: worker.directUrl };
      const bytes = withData ? readData(DATA_IMAGES[0]) : await gradientPng(300, 240);
      const { status } = await assertSameAnswer(direct, app, { name: 'direct /predict', ...post([{ name: 'image', bytes }]) });
      assert.equal(status, 200);
      await assertSameAnswer(direct, app, { name: 'direct /health', path: '/health' });
    });
  } finally {
    await worker.stop();
  }
});

Deno.test({
  name: 'workerd: limits come from the Worker vars (MAX_PIXELS, MAX_BODY_BYTES, MAX_IMAGES_PER_REQUEST)',
  ...options,
}, async () => {
  const vars = {
    ...wranglerVars(),
    MAX_PIXELS: '100000',
    MAX_BODY_BYTES: '300000',
    MAX_IMAGES_PER_REQUEST: '2',
  };
  const { app, predictor } = localApp(vars);
  const worker = await startWorkerd({
    vars: {
      MAX_PIXELS: vars.MAX_PIXELS,
      MAX_BODY_BYTES: vars.MAX_BODY_BYTES,
      MAX_IMAGES_PER_REQUEST: vars.MAX_IMAGES_PER_REQUEST,
    },
    probe: false, // the first request below is a /predict on a fresh isolate
  });
  try {
    await predictor;
    // A cold isolate gets traffic without a readiness probe: /predict waits for the model instead of 503.
    await assertSameAnswer(worker, app, {
      name: 'first request on a fresh isolate',
      ...post([{ name: 'image', bytes: await gradientPng(100, 80) }]),
    });
    const scan = await gradientPng(400, 300); // 120,000 px > 100,000
    const small = await gradientPng(100, 80);
    const cases: (Case & { status: number; code: string })[] = [
      {
        name: 'over MAX_PIXELS',
        ...post([{ name: 'image', bytes: scan }]),
        status: 413,
        code: 'too_many_pixels',
      },
      {
        name: 'over MAX_IMAGES_PER_REQUEST',
        ...post([1, 2, 3].map(() => ({ name: 'image', bytes: small }))),
        status: 413,
        code: 'too_many_images',
      },
    ];
    for (const c of cases) {
      const { status, body } = await assertSameAnswer(worker, app, c);
      assert.equal(status, c.status, `${c.name}: ${body.slice(0, 200)}`);
      assert.equal(JSON.parse(body).error.code, c.code, c.name);
    }
    // workerd answers 413 before reading an oversized body and then resets the connection; fetch() reports
    // the reset instead of the answer, so this one goes over a raw socket that reads the reply regardless.
    const form = new Request('http://x/', {
      method: 'POST',
      body: multipart([{ name: 'image', bytes: new Uint8Array(400_000) }]),
    });
    const oversized = new Uint8Array(await form.arrayBuffer());
    const remote = await rawPost(worker.url, '/predict', form.headers.get('content-type')!, oversized);
    const local = await app.request('/predict', {
      method: 'POST',
      body: oversized,
      headers: { 'content-type': form.headers.get('content-type')! },
    });
    assert.equal(remote.status, 413);
    assert.equal(local.status, 413);
    assert.deepEqual(JSON.parse(remote.body), await local.json());
    assert.equal(JSON.parse(remote.body).error.code, 'payload_too_large');

    const model = JSON.parse((await assertSameAnswer(worker, app, { name: '/model', path: '/model' })).body);
    assert.equal(model.serving.limits.maxPixels, 100000);
  } finally {
    await worker.stop();
  }
});
