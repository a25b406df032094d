import { Hono } from 'hono';
import { setMetric } from 'hono/timing';
import { ApiError, errorBody } from '../errors.ts';
import type { ImageOutcome, Prediction } from '../predictor.ts';
import type { AppEnv } from '../types.ts';
import { readRois } from './roi-param.ts';

/** The multipart field that carries images, as in the original API. */
export const IMAGE_FIELD = 'image';

async function readImages(req: Request, maxImages: number): Promise<{ images: Uint8Array[]; form: FormData }> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new ApiError(400, 'bad_request', `Send multipart/form-data with the image in a field named "${IMAGE_FIELD}"`);
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch (err) {
    // The body-limit middleware aborts the stream with its own error; let it answer 413.
    if (err instanceof Error && err.name === 'BodyLimitError') throw err;
    throw new ApiError(400, 'bad_request', 'The multipart body is malformed');
  }
  const parts = form.getAll(IMAGE_FIELD);
  if (parts.length === 0) {
    throw new ApiError(400, 'missing_image', `No "${IMAGE_FIELD}" field in the form; send the image file in it`);
  }
  if (parts.length > maxImages) {
    throw new ApiError(413, 'too_many_images', `At most ${maxImages} images per request; got ${parts.length}`);
  }
  if (parts.some((p) => typeof p === 'string')) {
    throw new ApiError(400, 'missing_image', `The "${IMAGE_FIELD}" field must be a file upload, not text`);
  }
  const images = await Promise.all(parts.map(async (p) => new Uint8Array(await (p as File).arrayBuffer())));
  return { images, form };
}

/** POST /predict: one `image` part gives the original's flat answer; several give `{ results: [...] }`. */
export function predictRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/predict', async (c) => {
    const predictor = c.get('predictor');
    if (!predictor) throw new ApiError(503, 'not_ready', 'The model is still loading; retry shortly');
    const limits = c.get('limits');
    const deadline = performance.now() + limits.deadlineMs;
    const { images, form } = await readImages(c.req.raw, limits.maxImagesPerRequest);
    const rois = readRois(form, c.req.queries('roi') ?? [], images.length);
    const explain = ['1', 'true', 'yes'].includes((c.req.query('explain') ?? '').toLowerCase());
    // check=off (research use): a flagged image is classified anyway, its inputCheck saying flagged: true.
    const check = !['off', 'false', '0', 'no'].includes((c.req.query('check') ?? '').toLowerCase());
    const outcomes = await predictor.predictMany(images, limits, explain, deadline, rois, check);
    await predictor.markSeen(images, outcomes);
    recordTimings(c, outcomes);
    if (images.length === 1) {
      const [only] = outcomes;
      if (only instanceof ApiError) throw only;
      return c.json(only);
    }
    // Each failed image carries its own status and error; the request itself succeeded.
    return c.json({
      results: outcomes.map((o) => (o instanceof ApiError ? { status: o.status, ...errorBody(o).body } : o)),
    });
  });
  return routes;
}

function recordTimings(c: Parameters<typeof setMetric>[0], outcomes: ImageOutcome[]): void {
  const ok = outcomes.filter((o): o is Prediction => !(o instanceof ApiError));
  for (const stage of ['decode', 'preprocess', 'inference', 'gate', 'explain'] as const) {
    const total = ok.reduce((sum, o) => sum + (o.timings[stage] ?? 0), 0);
    if (total > 0) setMetric(c, stage, total);
  }
}
