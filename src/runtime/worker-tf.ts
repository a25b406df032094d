/**
 * tfjs WASM backend for Cloudflare Workers. Workers forbid compiling WebAssembly at run time, so the SIMD
 * binary arrives already compiled (wrangler's CompiledWasm rule, see worker-assets.ts) and is handed to the
 * backend's Emscripten factory through its `instantiateWasm` hook (the approach asked for in
 * tensorflow/tfjs#8157). The glue leans on internals of @tensorflow/tfjs-backend-wasm, so that package is
 * pinned exactly (4.22.0); tests/workerd/glue_test.ts fails if an upgrade breaks any assumption made here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm'; // also registers the wasm kernels
// The Emscripten factory; it builds both the plain and the SIMD binary (its typings need @types/emscripten).
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';

/** The tfjs-backend-wasm version this glue was written against (checked by tests/workerd/glue_test.ts). */
export const GLUE_TFJS_WASM_VERSION = '4.22.0';

/** What start-up found; anything else than wasm + SIMD throws instead. */
export interface WorkerBackendInfo {
  backend: 'wasm';
  simd: true;
  /** Milliseconds to instantiate the binary and initialise the backend. */
  ms: number;
}

type EmscriptenModule = {
  cwrap: (name: string, ret: string | null, args: string[]) => unknown;
  tfjs?: unknown;
};
type Factory = (config: object) => Promise<EmscriptenModule>;

// The smallest module using a SIMD instruction (i8x16.splat); the same probe tfjs's WASM_HAS_SIMD_SUPPORT
// flag validates. Validation parses but never compiles, so Workers allow it.
// deno-fmt-ignore
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

/** Whether this engine runs WebAssembly SIMD; without it the SIMD binary could not have been instantiated. */
export function engineHasSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

async function createBackend(simdModule: WebAssembly.Module): Promise<BackendWasm> {
  let hookUsed = false;
  const module = await (wasmFactory as unknown as Factory)({
    // Emscripten calls this instead of fetching and compiling the .wasm file itself.
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) {
      hookUsed = true;
      const instance = new WebAssembly.Instance(simdModule, imports);
      done(instance, simdModule);
      return instance.exports;
    },
  });
  if (!hookUsed) throw new Error('tfjs wasm factory ignored instantiateWasm: the pinned glue no longer fits');
  // The C entry points the package's own init() binds (dist/backend_wasm.js, 4.22.0).
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

/**
 * Replaces the package's fetch-based 'wasm' backend with one built from the given compiled SIMD module,
 * selects it and fails loudly unless tfjs really runs on wasm with SIMD.
 */
export async function startWorkerWasmBackend(simdModule: WebAssembly.Module): Promise<WorkerBackendInfo> {
  const started = performance.now();
  if (!engineHasSimd()) throw new Error('this engine lacks WebAssembly SIMD; refusing the slow paths');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => createBackend(simdModule), 3);
  // setBackend resolves false (after logging) when the factory throws; surface that as an error.
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('tfjs WASM backend failed to start from the imported module');
  }
  await tf.ready();
  if (tf.getBackend() !== 'wasm') {
    throw new Error(`expected tfjs on the wasm backend, got ${tf.getBackend()}`);
  }
  return { backend: 'wasm', simd: true, ms: performance.now() - started };
}
