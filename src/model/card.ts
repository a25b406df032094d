import { type Calibration, parseCalibration } from './calibration.ts';

/** The parts of static/model/card.json the server itself relies on; the rest is served as written. */
export interface ModelCard {
  name: string;
  version: string;
  threshold: { value: number; rationale?: string };
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
  return card as ModelCard;
}
