import type { Decoders } from '../image/codecs.ts';
import { Predictor } from '../predictor.ts';
import { parseModelCard } from './card.ts';
import { Classifier, type ModelArtifacts } from './classifier.ts';

/** Builds a warmed-up Predictor from model files and decoders that a runtime entry has loaded. */
export async function createPredictor(
  artifacts: ModelArtifacts,
  cardJson: unknown,
  decoders: Decoders,
): Promise<Predictor> {
  const card = parseModelCard(cardJson);
  const classifier = await Classifier.fromArtifacts(artifacts);
  classifier.warmUp();
  return new Predictor(classifier, decoders, card);
}
