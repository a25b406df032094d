/**
 * Privacy: no image bytes, derived pixels or file names reach logs or disk. A distinctive noise image (its
 * bytes appear nowhere else) is sent through every path — success, multi-image, heatmap, corrupt, wrong
 * field, oversized — while console output and the access log are captured; then the real server, started
 * with the permission flags of `deno task serve` and its own temp directory (TMPDIR …), must hold no write
 * permission, print nothing of it and leave none of it in that directory or the project tree.
 */
import assert from 'node:assert/strict';
import { Image } from 'imagescript';
import { createApp } from '../../src/app.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { bundledPredictor, hasBundledModel, tinyPredictor } from '../fixtures/app.ts';
import { multipart } from '../fixtures/images.ts';
import { freePort } from '../fixtures/server.ts';
import type { InputSpec } from '../../src/image/raster.ts';
import { captureConsole } from './console.ts';
import { LeakDetector } from './leaks.ts';
import { exists } from '../fixtures/fs.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FILE_NAME = 'PATIENT-Zq7x-Hollowmere-0731.png';

/** Seeded noise: every pixel differs, so any window of the file or its pixels is unique to this image. */
async function noiseImage(width: number, height: number, seed: number, jpeg = false): Promise<Uint8Array> {
  const image = new Image(width, height);
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  for (let y = 1; y <= height; y++) {
    for (let x = 1; x <= width; x++) image.setPixelAt(x, y, Image.rgbaToColor(next(), next(), next(), 255));
  }
  return jpeg ? await image.encodeJPEG(90) : await image.encode();
}

const png = await noiseImage(96, 80, 0x5eed);
const jpeg = await noiseImage(72, 64, 0xbeef, true);
const predictor = tinyPredictor();
const spec = (await predictor).classifier.inputSpec;
const decoders = await loadDenoDecoders();

/** What the server sees of an image and derives from it (decoded pixels, model input for `inputSpec`). */
async function detectorFor(fileName: string, bytes: Uint8Array, inputSpec: InputSpec): Promise<LeakDetector> {
  const raster = await decodeImage(bytes, decoders, { limits: { maxPixels: 1e7, maxSide: 1e4 } });
  return new LeakDetector({ fileName, bytes, pixels: raster.data, input: toModelInput(raster, inputSpec) });
}
const pngLeaks = await detectorFor(FILE_NAME, png, spec);
const jpegLeaks = await detectorFor(FILE_NAME.replace('.png', '.jpg'), jpeg, spec);
const noLeaks = (text: string, where: string) => {
  assert.deepEqual(pngLeaks.findIn(text), [], where);
  assert.deepEqual(jpegLeaks.findIn(text), [], where);
};

Deno.test('the leak detector finds the image however it is printed (so a clean result means something)', async () => {
  const raster = await decodeImage(png, decoders, { limits: { maxPixels: 1e7, maxSide: 1e4 } });
  const input = toModelInput(raster, spec);
  const piece = (at: number, n = 10) => png.subarray(at, at + n);
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
  const careless = [
    `upload "${FILE_NAME}" received`,
    `bytes=${hex(piece(1234))}`,
    `bytes=${hex(piece(2001)).toUpperCase().replace(/(..)/g, '$1 ')}`,
    `body=${btoa(latin1(piece(777, 30)))}`,
    `body=${btoa(latin1(piece(3001, 31))).replace(/=+$/, '')}`,
    `raw=${latin1(piece(4321, 12))}`,
    JSON.stringify({ head: Array.from(piece(555, 9)) }),
    Deno.inspect(raster.data.subarray(4000, 4012)),
    JSON.stringify(Array.from(input.subarray(300, 306))),
    String(Array.from(input.subarray(700, 706), (v) => v.toFixed(4))),
  ];
  for (const line of careless) {
    assert.ok(pngLeaks.findIn(line).length > 0, `not detected: ${line.slice(0, 80)}`);
  }
  const clean = JSON.stringify({
    requestId: crypto.randomUUID(),
    method: 'POST',
    path: '/predict',
    status: 200,
    ms: 12.3,
  });
  assert.deepEqual(pngLeaks.findIn(clean), []);
  assert.deepEqual(
    pngLeaks.findIn(Deno.inspect(Array.from(jpeg.subarray(100, 200)))),
    [],
    'another image is not this one',
  );
  assert.ok(pngLeaks.foundInFile(new Uint8Array([1, 2, ...png.subarray(100, 110), 3])));
  assert.ok(!pngLeaks.foundInFile(jpeg));
});

Deno.test('in-process: console and access log carry no image bytes, pixels or file names', async () => {
  const accessLines: unknown[] = [];
  // One app logging through the default sink (console) and one through a captured sink.
  const consoleApp = createApp({ predictor, limits: { maxBodyBytes: 200_000 } });
  const sinkApp = createApp({
    predictor,
    limits: { maxBodyBytes: 200_000 },
    log: (l) => accessLines.push(l),
  });
  const statuses: number[] = [];
  const printed = await captureConsole(async () => {
    for (const app of [consoleApp, sinkApp]) {
      const send = async (body: BodyInit, path = '/predict', headers: Record<string, string> = {}) => {
        const res = await app.request(path, { method: 'POST', body, headers });
        statuses.push(res.status);
        const text = await res.text();
        // Answers hold the prediction and image size, never the image back.
        noLeaks(text, `answer of ${path}`);
      };
      await send(multipart([{ name: 'image', bytes: png, filename: FILE_NAME, type: 'image/png' }]));
      await send(
        multipart([{ name: 'image', bytes: jpeg, filename: FILE_NAME.replace('.png', '.jpg') }]),
        '/predict?explain=true',
      );
      await send(
        multipart([{ name: 'image', bytes: png, filename: FILE_NAME }, { name: 'image', bytes: jpeg }]),
        '/predict?explain=1',
      );
      await send(
        multipart([{ name: 'image', bytes: png.subarray(0, png.length - 40), filename: FILE_NAME }]),
      ); // truncated
      await send(multipart([{ name: 'image', bytes: png.subarray(0, 20), filename: FILE_NAME }])); // header cut
      await send(multipart([{ name: 'upload', bytes: png, filename: FILE_NAME }])); // wrong field
      await send(
        multipart([{
          name: 'image',
          bytes: png.map((b, i) => (i > 60 ? b ^ 0x5a : b)),
          filename: FILE_NAME,
        }]),
      );
      await send(png as Uint8Array<ArrayBuffer>, '/predict', {
        'content-type': 'image/png',
        'x-file-name': FILE_NAME,
      }); // not multipart
      await send(
        multipart(Array.from({ length: 30 }, () => ({ name: 'image', bytes: png, filename: FILE_NAME }))),
      ); // too large
    }
  });
  assert.ok(
    statuses.includes(200) && statuses.includes(400) && statuses.includes(413) && statuses.includes(422),
    String(statuses),
  );
  assert.ok(printed.includes('"path":"/predict"'), 'the access log went to the console');
  assert.equal(accessLines.length, statuses.length / 2);
  for (const line of accessLines) {
    assert.deepEqual(Object.keys(line as object).sort(), ['method', 'ms', 'path', 'requestId', 'status']);
  }
  const everything = `${printed}\n${JSON.stringify(accessLines)}`;
  noLeaks(everything, 'console and access log');
});

/** The permission flags of `deno task serve` (deno.json), the command that runs in production. */
async function serveTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words = String(config.tasks.serve).split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ['deno', 'serve'], 'serve task starts with "deno serve"');
  return words.slice(2).filter((w) => w.startsWith('-'));
}

Deno.test('the serve task grants no write, run or FFI permission', async () => {
  const flags = await serveTaskFlags();
  for (const flag of flags) {
    assert.ok(
      !/^--?(A|allow-all|allow-write|allow-run|allow-ffi|allow-import)\b/.test(flag),
      `serve task grants ${flag}`,
    );
  }
  // And a process started with exactly these flags is refused when it tries to write.
  const dir = await Deno.makeTempDir();
  try {
    const probe = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      probe,
      `try { Deno.writeTextFileSync(${
        JSON.stringify(`${dir}/written`)
      }, 'x'); console.log('wrote'); } catch (e) { console.log(e.name); }`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ['run', ...flags.filter((f) => f !== '--parallel'), '--no-prompt', probe],
      cwd: ROOT,
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    const said = new TextDecoder().decode(out.stdout).trim();
    assert.match(said, /NotCapable|PermissionDenied/, `probe said "${said}"`);
    assert.ok(!(await exists(`${dir}/written`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});


/** Files under `dir` changed since `since` (skipping dependencies and VCS data). */
async function changedFiles(dir: string, since: number, out: string[] = []): Promise<string[]> {
  for await (const entry of Deno.readDir(dir)) {
    if (['node_modules', '.git'].includes(entry.name)) continue;
    const path = `${dir}/${entry.name}`;
    try {
      if (entry.isDirectory) await changedFiles(path, since, out);
      else if (entry.isFile && ((await Deno.stat(path)).mtime?.getTime() ?? 0) >= since) out.push(path);
    } catch { /* vanished meanwhile */ }
  }
  return out;
}

const withModel = await hasBundledModel();
Deno.test({
  name: 'the real server (serve task flags) prints nothing of the image and writes none of it',
  ignore: !withModel,
}, async () => {
  const flags = (await serveTaskFlags()).filter((f) => f !== '--parallel');
  const servedSpec = (await bundledPredictor()).classifier.inputSpec;
  const served = [await detectorFor(FILE_NAME, png, servedSpec), await detectorFor(FILE_NAME, jpeg, servedSpec)];
  const port = freePort();
  const started = Date.now() - 1000; // mtime granularity
  // The server's own temp directory: the test watches it and the project tree, never the machine-wide /tmp
  // (other programs write there meanwhile, and their files are not this server's).
  const serverTmp = await Deno.makeTempDir({ prefix: 'privacy-server-' });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ['serve', ...flags, '--no-prompt', '--host', '127.0.0.1', '--port', String(port), 'src/deno.ts'],
      cwd: ROOT,
      env: { RATE_LIMIT_PER_MINUTE: '0', PORT: '', TMPDIR: serverTmp, TMP: serverTmp, TEMP: serverTmp, TEMPDIR: serverTmp },
      stdout: 'piped',
      stderr: 'piped',
    }).spawn();
    let output = '';
    const decoder = new TextDecoder();
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) output += decoder.decode(chunk);
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 300; i++) {
        const ready = await fetch(`${url}/ready`).then(
          async (r) => (await r.body?.cancel(), r.status === 200),
          () => false,
        );
        if (ready) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const statuses: number[] = [];
      for (
        const body of [
          multipart([{ name: 'image', bytes: png, filename: FILE_NAME }]),
          multipart([{ name: 'image', bytes: jpeg, filename: FILE_NAME }, {
            name: 'image',
            bytes: png,
            filename: FILE_NAME,
          }]),
          multipart([{ name: 'image', bytes: png.subarray(0, 500), filename: FILE_NAME }]),
          multipart([{ name: 'file', bytes: png, filename: FILE_NAME }]),
        ]
      ) {
        // check=off: the input gate would refuse this noise image, and the classifying paths must be covered too.
        const res = await fetch(`${url}/predict?explain=true&check=off`, { method: 'POST', body });
        statuses.push(res.status);
        const text = await res.text();
        for (const d of served) assert.deepEqual(d.findIn(text), []);
      }
      assert.deepEqual(statuses, [200, 200, 422, 400]);
      // And through the input gate, which answers 422 not_ultrasound with its measurements for such an image.
      const gated = await fetch(`${url}/predict?explain=true`, {
        method: 'POST',
        body: multipart([{ name: 'image', bytes: png, filename: FILE_NAME }]),
      });
      const gatedText = await gated.text();
      assert.ok([200, 422].includes(gated.status), `gated answer ${gated.status}`);
      for (const d of served) assert.deepEqual(d.findIn(gatedText), [], 'gated answer');
    } finally {
      child.kill('SIGTERM');
      await child.status;
      await pumps;
    }
    assert.match(output, /"path":"\/predict"/, 'the server printed its access log');
    for (const d of served) assert.deepEqual(d.findIn(output), [], 'server output');
    // Belt and braces beside the permission check: nothing written meanwhile holds the image.
    for (
      const file of [
        ...await changedFiles(ROOT.replace(/\/$/, ''), started),
        ...await changedFiles(serverTmp, started),
      ]
    ) {
      let data: Uint8Array;
      try {
        if ((await Deno.stat(file)).size > 16 * 1024 * 1024) continue;
        data = await Deno.readFile(file);
      } catch {
        continue; // unreadable or gone meanwhile
      }
      for (const d of served) assert.ok(!d.foundInFile(data), `${file} holds traces of the image`);
    }
  } finally {
    await Deno.remove(serverTmp, { recursive: true });
  }
});
