/** Reads a model folder's files into memory on Node (model.json, weight shards, card.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelArtifacts, ModelJson } from '../../src/model/classifier.ts';

/** The model's artefacts and parsed card.json. */
export function readModelFiles(dir: string): { artifacts: ModelArtifacts; card: unknown } {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const weights = Object.fromEntries(
    modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]),
  );
  return { artifacts: { modelJson, weights }, card: JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) };
}
