import { type Calibration, parseCalibration } from './calibration.ts';

/** What the operating threshold is compared with: the raw model `score` or the served (calibrated) `probability`. */
export type ThresholdScale = 'score' | 'probability';

/** The parts of static/model/card.json the server itself relies on; the rest is served as written. */
export interface ModelCard {
  name: string;
  version: string;
  /**
   * `scale`: what `value` is compared with; absent = `score`, the raw model output (the training pipeline, the adapt
   * command and the predictor all put the threshold there). `probability` = the served, calibrated probability.
   */
  threshold: { value: number; rationale?: string; scale?: ThresholdScale };
  /** Maps raw scores to calibrated probabilities (src/model/calibration.ts); absent = scores are served raw. */
  calibration?: Calibration;
  [key: string]: unknown;
}

/** Checks that a parsed card.json has what the server needs, so a bad card fails at start-up, not per request. */
export function parseModelCard(json: unknown): ModelCard {
  const card = json as Partial<ModelCard> | null;
  if (!card || typeof card.name !== 'string' || typeof card.version !== 'string') {
    throw new Error('model card needs string "name" and "version"');
  }
  const value = card.threshold?.value;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new Error('model card needs "threshold.value" in (0, 1)');
  }
  parseCalibration(card.calibration);
  const scale = card.threshold?.scale;
  if (scale !== undefined && scale !== 'score' && scale !== 'probability') {
    throw new Error('model card "threshold.scale" must be "score" or "probability"');
  }
  return card as ModelCard;
}

/** The scale a card's threshold applies to (see ModelCard.threshold.scale). */
export function thresholdScale(card: ModelCard): ThresholdScale {
  return card.threshold.scale ?? 'score';
}
