import { createRequire } from 'node:module';
import { inCi } from '../../fixtures/ci.ts';

/**
 * Why tfjs-node cannot run here (its native binding is not built), or false when it can: a skip reason. Under
 * CI=true always false, so the training tests run and fail on the missing binding instead of skipping.
 */
export function bindingMissing(): string | false {
  if (inCi()) return false;
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
    return false;
  } catch (err) {
    return `tfjs-node binding not built (${String(err).slice(0, 80)}); run scripts/install-tfjs-node-offline.sh`;
  }
}
