/** End-to-end: the real `deno serve` process with the bundled model, real images over HTTP. */
import assert from 'node:assert/strict';
import { bundledPredictor, hasBundledModel } from '../fixtures/app.ts';
import { DATA_DIR, hasData, readData } from '../fixtures/data.ts';
import { multipart, pngHeaderDeclaring } from '../fixtures/images.ts';
import { startServer } from '../fixtures/server.ts';
import { DEFAULT_LIMITS } from '../../src/config.ts';

const ready = (await hasBundledModel()) && hasData();
if (!ready) console.warn(`skipping server tests: needs static/model and ${DATA_DIR}`);

const IMAGES = [
  'busi/benign/benign (1).png',
  'busi/malignant/malignant (1).png',
  'busi/normal/normal (1).png',
];

Deno.test({ name: 'the real server answers real images like the in-process predictor', ignore: !ready }, async () => {
  const server = await startServer();
  try {
    const predictor = await bundledPredictor();
    for (const file of IMAGES) {
      const bytes = readData(file);
      const res = await fetch(`${server.url}/predict`, { method: 'POST', body: multipart([{ name: 'image', bytes, filename: file }]) });
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('server-timing') ?? '', /inference;dur=/);
      const body = await res.json();
      for (const key of ['prediction', 'description', 'classification', 'probability', 'tier', 'threshold', 'model', 'timings']) {
        assert.ok(key in body, `${file}: ${key}`);
      }
      const [local] = await predictor.predictMany([bytes], DEFAULT_LIMITS);
      assert.ok(!(local instanceof Error));
      assert.equal(body.probability, local.probability, `${file}: same probability as in-process`);
    }

    const several = multipart(IMAGES.map((f) => ({ name: 'image', bytes: readData(f) })));
    const many = await (await fetch(`${server.url}/predict?explain=true`, { method: 'POST', body: several })).json();
    assert.equal(many.results.length, IMAGES.length);
    assert.ok(many.results.every((r: { heatmap?: unknown }) => r.heatmap));

    const bomb = await fetch(`${server.url}/predict`, { method: 'POST', body: multipart([{ name: 'image', bytes: pngHeaderDeclaring(20000, 20000) }]) });
    assert.equal(bomb.status, 413);
    assert.equal((await bomb.json()).error.code, 'too_many_pixels');

    const gif = await fetch(`${server.url}/predict`, { method: 'POST', body: multipart([{ name: 'image', bytes: new TextEncoder().encode('%PDF-1.4 not an image') }]) });
    assert.equal(gif.status, 415);
    await gif.body?.cancel();

    for (const path of ['/health', '/ready', '/model', '/openapi.json']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      await res.json();
    }
  } finally {
    await server.stop();
  }
  // Logs name requests, never files or pixels.
  assert.ok(!server.output().includes('benign (1)'));
});

Deno.test({ name: 'the evaluation command scores an image exactly as the server does', ignore: !ready }, async () => {
  // A tiny class-folder data set made of copies of the shared images (in /tmp, removed after), scored by `train/cli.ts evaluate`.
  const folder = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    for (const file of IMAGES.slice(0, 2)) {
      const [cls, name] = file.split('/').slice(1);
      await Deno.mkdir(`${folder}/${cls}`, { recursive: true });
      await Deno.copyFile(`${DATA_DIR}/${file}`, `${folder}/${cls}/${name}`);
    }
    const root = new URL('../../', import.meta.url).pathname;
    const run = await new Deno.Command('node', {
      args: ['--import', 'tsx', 'train/cli.ts', 'evaluate', '--model', 'static/model', '--folder', folder, '--out', out],
      cwd: root,
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    const server = await startServer();
    try {
      for (const p of metrics.predictions as { file: string; score: number; probability: number }[]) {
        const bytes = await Deno.readFile(p.file);
        const body = await (await fetch(`${server.url}/predict`, { method: 'POST', body: multipart([{ name: 'image', bytes }]) })).json();
        assert.equal(body.score, p.score, p.file);
        assert.equal(body.probability, p.probability, p.file);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
