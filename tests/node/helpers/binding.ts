import { createRequire } from 'node:module';

/** Why tfjs-node cannot run here (its native binding is not built), or false when it can: a skip reason. */
export function bindingMissing(): string | false {
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
    return false;
  } catch (err) {
    return `tfjs-node binding not built (${String(err).slice(0, 80)}); run scripts/install-tfjs-node-offline.sh`;
  }
}
