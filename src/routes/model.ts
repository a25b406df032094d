import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import { MIN_ROI_SIDE } from '../image/roi.ts';
import { thresholdScale } from '../model/card.ts';
import { cardSummary } from '../model/card-summary.ts';
import type { AppEnv } from '../types.ts';

/**
 * GET /model: a summary of the model card (metrics at the threshold, no training history) plus what the server
 * reads from the model itself; `?full=1` sends the whole card as trained.
 */
export function modelRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/model', (c) => {
    const predictor = c.get('predictor');
    if (!predictor) throw new ApiError(503, 'not_ready', 'The model is still loading; retry shortly');
    const { classifier, card } = predictor;
    const full = ['1', 'true', 'yes'].includes((c.req.query('full') ?? '').toLowerCase());
    return c.json({
      ...(full ? card : cardSummary(card)),
      serving: {
        inputSpec: classifier.inputSpec,
        parameters: classifier.parameterCount,
        explainable: classifier.explainable,
        // Box mode (POST /predict with roi): the margin added on each side of the user's box, as a fraction of its size.
        roi: { margin: predictor.roiMargin, minSide: MIN_ROI_SIDE },
        // The page shows what uploads this server accepts.
        limits: c.get('limits'),
        // `probability` in answers is calibrated only when the card carries a calibration.
        calibrated: card.calibration !== undefined,
        thresholdOn: thresholdScale(card),
        seenInTrainingCheck: predictor.seen !== undefined,
        // How the input gate was fitted and calibrated (gate.json; docs/gate.md), or null when the bundle has none.
        inputGate: predictor.gate ? { ...predictor.gate.json.calibration, combine: predictor.gate.json.combine } : null,
        // Bounds on the threshold's scale (`below`), as raw scores and as served probabilities.
        tiers: predictor.tiers.map(({ id, below, belowScore, belowProbability, classification, description }) => ({
          id,
          below: Number.isFinite(below) ? below : 1,
          belowScore: Number.isFinite(belowScore) ? belowScore : 1,
          belowProbability: Number.isFinite(belowProbability) ? belowProbability : 1,
          inclusive: !Number.isFinite(below),
          classification,
          description,
        })),
      },
    });
  });
  return routes;
}
