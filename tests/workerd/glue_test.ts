/**
 * The Workers glue for tfjs (src/runtime/worker-tf.ts) leans on tfjs-backend-wasm internals. These tests run
 * it in Deno with the same SIMD binary and fail if an upgrade breaks an assumption: exact pins, the factory
 * still calling instantiateWasm, the C entry points, kernels computing on wasm.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  engineHasSimd,
  GLUE_TFJS_WASM_VERSION,
  startWorkerWasmBackend,
} from '../../src/runtime/worker-tf.ts';

const ROOT = new URL('../../', import.meta.url);
const readJson = (path: string) => JSON.parse(Deno.readTextFileSync(new URL(path, ROOT)));
const compile = (path: string) => new WebAssembly.Module(Deno.readFileSync(new URL(path, ROOT)));
const SIMD_BINARY = 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';

Deno.test('worker glue: the packages it depends on are pinned exactly to the versions it was written for', () => {
  const pkg = readJson('package.json');
  const pins = { ...pkg.dependencies, ...pkg.devDependencies };
  for (const name of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core']) {
    assert.equal(pins[name], GLUE_TFJS_WASM_VERSION, `${name} must be pinned to ${GLUE_TFJS_WASM_VERSION}`);
    assert.equal(
      readJson(`node_modules/${name}/package.json`).version,
      GLUE_TFJS_WASM_VERSION,
      `installed ${name}`,
    );
  }
  for (const name of ['imagescript', 'wrangler']) {
    assert.match(pins[name], /^\d+\.\d+\.\d+$/, `${name} pinned exactly`);
    assert.equal(readJson(`node_modules/${name}/package.json`).version, pins[name], `installed ${name}`);
  }
});

Deno.test('worker glue: wrangler.toml keeps nodejs_compat off (it silently moves tfjs to the CPU backend)', () => {
  const toml = Deno.readTextFileSync(new URL('wrangler.toml', ROOT));
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  assert.ok(!/nodejs_compat/.test(flags), `compatibility_flags = [${flags}]`);
});

Deno.test('worker glue: a module that is not the tfjs binary fails start-up loudly', async () => {
  await assert.rejects(
    startWorkerWasmBackend(compile('node_modules/imagescript/wasm/any/png.wasm')),
    /failed to start/,
  );
});

Deno.test('worker glue: the SIMD binary starts through instantiateWasm and runs kernels on wasm', async () => {
  assert.ok(engineHasSimd());
  const info = await startWorkerWasmBackend(compile(SIMD_BINARY));
  assert.equal(info.backend, 'wasm');
  assert.equal(info.simd, true);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), true);
  // A 3×3 convolution with a sum kernel over 1..16 (4×4, valid padding): hand-computed 2×2 result.
  const image = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
  const kernel = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
  const out = tf.conv2d(image, kernel, 1, 'valid');
  assert.deepEqual(Array.from(await out.data()), [54, 63, 90, 99]);
  tf.dispose([image, kernel, out]);
  assert.equal(tf.memory().numTensors, 0);
});
