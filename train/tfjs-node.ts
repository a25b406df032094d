/** Loading tfjs-node for training, with a plain answer when its native binding is not built. */
import type * as TfNode from '@tensorflow/tfjs-node';

/** A missing piece of set-up: train/cli.ts prints the message alone (no stack trace) and exits 1. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/**
 * Imports tfjs-node, or throws a SetupError that says how to build its binding offline. tfjs-node's own failure
 * is a long stack trace about a missing `tfjs_binding.node`, which does not say what to run.
 */
export async function loadTfjsNode(load: () => Promise<typeof TfNode> = () => import('@tensorflow/tfjs-node')): Promise<typeof TfNode> {
  try {
    return await load();
  } catch (err) {
    const first = String(err instanceof Error ? err.message : err).split('\n')[0].slice(0, 160);
    throw new SetupError(
      `Training needs tfjs-node's native binding, and it is not built here (${first}).\n` +
        'Build it once, offline, from the tensorflow-cpu wheel:  bash scripts/install-tfjs-node-offline.sh\n' +
        '(`npm run train` does this by itself before it starts.)',
    );
  }
}
