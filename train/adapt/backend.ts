/** Picks the tfjs backend for adaptation (forward passes only): tfjs-node when its binding is built, else WASM. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/** Which backend to use: `auto` tries tfjs-node first (faster for this on 2 cores, see docs/adapt.md). */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm';

/** Activates a backend and returns its name; `auto` falls back to WASM when tfjs-node cannot load. */
export async function useAdaptBackend(choice: BackendChoice = 'auto'): Promise<string> {
  if (choice !== 'wasm') {
    try {
      // Registers the 'tensorflow' backend in the shared tfjs-core.
      await import('@tensorflow/tfjs-node');
    } catch (err) {
      if (choice === 'tensorflow') throw err;
    }
  }
  const name = choice === 'wasm' || !tf.findBackendFactory('tensorflow') ? 'wasm' : 'tensorflow';
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to start`);
  await tf.ready();
  return name;
}
