/**
 * tfjs WASM backend for Cloudflare Workers. Workers forbid compiling WebAssembly at run time, so the SIMD
 * binary is imported as a module (wrangler's CompiledWasm rule) and handed to the backend's Emscripten
 * factory through `instantiateWasm` (the approach of upstream tensorflow/tfjs#8157). Pinned to
 * @tensorflow/tfjs-backend-wasm 4.22.0: tests/workerd checks that this glue still starts SIMD after upgrades.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm'; // also registers the wasm kernels
// @ts-ignore: the Emscripten factory ships without types
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
// @ts-ignore: resolved by wrangler's CompiledWasm rule to a WebAssembly.Module
import simdModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';

type EmscriptenModule = { cwrap: (name: string, ret: string | null, args: string[]) => unknown; tfjs?: unknown };

async function createBackend(): Promise<BackendWasm> {
  const module: EmscriptenModule = await (wasmFactory as (config: object) => Promise<EmscriptenModule>)({
    instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      const instance = new WebAssembly.Instance(simdModule as WebAssembly.Module, imports);
      done(instance, simdModule as WebAssembly.Module);
      return instance.exports;
    },
  });
  // The same C entry points the package's own init() binds (backend_wasm.js, v4.22.0).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return new BackendWasm(module as never);
}

/** Replaces the package's fetch-based backend factory with the imported-module one and starts it. */
export async function startWorkerWasmBackend(): Promise<{ backend: string; simd: true }> {
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', createBackend, 3);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs WASM backend failed to start on Workers');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got ${tf.getBackend()}`);
  return { backend: 'wasm', simd: true };
}
