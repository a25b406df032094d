import type { Decoders } from './image/codecs.ts';
import { Predictor } from './predictor.ts';
import { parseModelCard } from './model/card.ts';
import { Classifier, type ModelArtifacts } from './model/classifier.ts';
import { SeenSet } from './model/seen.ts';

/**
 * Builds a warmed-up Predictor from model files and decoders that a runtime entry has loaded; `seen` is the
 * bundle's seen.bin, if it has one.
 */
export async function createPredictor(
  artifacts: ModelArtifacts,
  cardJson: unknown,
  decoders: Decoders,
  seen?: Uint8Array,
): Promise<Predictor> {
  const card = parseModelCard(cardJson);
  const seenSet = seen ? new SeenSet(seen) : undefined;
  const classifier = await Classifier.fromArtifacts(artifacts);
  classifier.warmUp();
  return new Predictor(classifier, decoders, card, seenSet);
}
