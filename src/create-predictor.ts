import type { Decoders } from './image/codecs.ts';
import { loadGate } from './gate/load.ts';
import { Predictor } from './predictor.ts';
import { parseModelCard } from './model/card.ts';
import { Classifier, type ModelArtifacts } from './model/classifier.ts';
import { SeenSet } from './model/seen.ts';

/**
 * Builds a warmed-up Predictor from model files and decoders that a runtime entry has loaded; `seen` is the
 * bundle's seen.bin and `gateJson` its gate.json (no gate: answers carry no inputCheck), if it has them.
 */
export async function createPredictor(
  artifacts: ModelArtifacts,
  cardJson: unknown,
  decoders: Decoders,
  seen?: Uint8Array,
  gateJson?: unknown,
): Promise<Predictor> {
  const card = parseModelCard(cardJson);
  const seenSet = seen ? new SeenSet(seen) : undefined;
  const classifier = await Classifier.fromArtifacts(artifacts);
  classifier.warmUp();
  const gate = await loadGate(gateJson, artifacts, classifier.pooledFeatureDim);
  return new Predictor(classifier, decoders, card, seenSet, gate);
}
