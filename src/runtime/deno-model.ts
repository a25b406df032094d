import type { ModelArtifacts, ModelJson } from '../model/classifier.ts';

/** The bundled model's folder. */
export const BUNDLED_MODEL_DIR = new URL('../../static/model/', import.meta.url);

/** Reads model.json, its weight shards and card.json from a folder (a file: URL or a path). */
export async function readModelDir(dir: URL | string): Promise<{ artifacts: ModelArtifacts; card: unknown }> {
  const base = typeof dir === 'string' ? new URL(`file://${dir.endsWith('/') ? dir : dir + '/'}`) : dir;
  const modelJson = JSON.parse(await Deno.readTextFile(new URL('model.json', base))) as ModelJson;
  const weights: Record<string, Uint8Array> = {};
  for (const path of modelJson.weightsManifest.flatMap((g) => g.paths)) {
    weights[path] = await Deno.readFile(new URL(path, base));
  }
  const card = JSON.parse(await Deno.readTextFile(new URL('card.json', base)));
  return { artifacts: { modelJson, weights }, card };
}
