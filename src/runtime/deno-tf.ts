import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Starts TensorFlow.js on the WASM backend with SIMD. Deno reads the .wasm files from the package folder.
 * The threaded build is not used: it needs blob/classic workers that Deno lacks (use `deno serve --parallel`).
 */
export async function startWasmBackend(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs WASM backend failed to start');
  await tf.ready();
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    console.warn(JSON.stringify({ warning: 'WASM SIMD unavailable; inference runs on the slower non-SIMD build' }));
  }
}
