/** Wall time spent inside a tfjs backend's registered kernels, for telling kernel work from dispatch around it. */
import * as tf from '@tensorflow/tfjs-core';

/** Running totals since clockKernels() was called. */
export interface KernelClock {
  /** Milliseconds inside kernel functions (wall time; nested kernels are counted once, by the outermost). */
  ms(): number;
  /** Kernel calls (outermost only). */
  calls(): number;
}

/**
 * Wraps every kernel registered for `backend` so its calls are timed. Install it before anything looks kernels
 * up and keeps them (src/model/kernel-ops.ts does, on first use): those would keep the unwrapped functions.
 */
export function clockKernels(backend: string): KernelClock {
  let ms = 0, calls = 0, depth = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const kernel = config.kernelFunc;
    config.kernelFunc = (args) => {
      if (depth++ > 0) {
        try {
          return kernel(args);
        } finally {
          depth--;
        }
      }
      const t = performance.now();
      try {
        return kernel(args);
      } finally {
        ms += performance.now() - t;
        calls++;
        depth--;
      }
    };
  }
  return { ms: () => ms, calls: () => calls };
}
