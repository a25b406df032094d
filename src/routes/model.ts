import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import { TIERS } from '../model/tiers.ts';
import { MIN_ROI_SIDE } from '../image/roi.ts';
import type { AppEnv } from '../types.ts';

/** GET /model: the model card as trained, plus what the server reads from the model itself. */
export function modelRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/model', (c) => {
    const predictor = c.get('predictor');
    if (!predictor) throw new ApiError(503, 'not_ready', 'The model is still loading; retry shortly');
    const { classifier, card } = predictor;
    return c.json({
      ...card,
      serving: {
        inputSpec: classifier.inputSpec,
        parameters: classifier.parameterCount,
        explainable: classifier.explainable,
        // Box mode (POST /predict with roi): the margin added on each side of the user's box, as a fraction of its size.
        roi: { margin: predictor.roiMargin, minSide: MIN_ROI_SIDE },
        // The page shows what uploads this server accepts.
        limits: c.get('limits'),
        tiers: TIERS.map(({ id, below, classification, description }) => ({
          id,
          below: Number.isFinite(below) ? below : 1,
          inclusive: !Number.isFinite(below),
          classification,
          description,
        })),
      },
    });
  });
  return routes;
}
