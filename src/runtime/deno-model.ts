import type { ModelArtifacts, ModelJson } from '../model/classifier.ts';

/** The bundled model's folder. */
export const BUNDLED_MODEL_DIR = new URL('../../static/model/', import.meta.url);

/**
 * Reads model.json, its weight shards, card.json and (when present) seen.bin, the training images' hash prefixes,
 * and gate.json, the input gate's statistics, from a folder (a file: URL or a path).
 */
export async function readModelDir(
  dir: URL | string,
): Promise<{ artifacts: ModelArtifacts; card: unknown; seen?: Uint8Array; gate?: unknown }> {
  const base = typeof dir === 'string' ? new URL(`file://${dir.endsWith('/') ? dir : dir + '/'}`) : dir;
  const modelJson = JSON.parse(await Deno.readTextFile(new URL('model.json', base))) as ModelJson;
  const weights: Record<string, Uint8Array> = {};
  for (const path of modelJson.weightsManifest.flatMap((g) => g.paths)) {
    weights[path] = await Deno.readFile(new URL(path, base));
  }
  const card = JSON.parse(await Deno.readTextFile(new URL('card.json', base)));
  let seen: Uint8Array | undefined;
  try {
    seen = await Deno.readFile(new URL('seen.bin', base));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // a model without it simply answers no seenInTraining
  }
  let gate: unknown;
  try {
    gate = JSON.parse(await Deno.readTextFile(new URL('gate.json', base)));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // a model without it answers no inputCheck
  }
  return { artifacts: { modelJson, weights }, card, seen, gate };
}
