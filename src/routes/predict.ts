import { Hono } from 'hono';
import { setMetric } from 'hono/timing';
import { ApiError, errorBody } from '../errors.ts';
import type { ImageOutcome, Prediction } from '../predictor.ts';
import type { AppEnv } from '../types.ts';
import { isMalformedMultipart, type MultipartForm, readMultipart } from './multipart.ts';
import { readFrames } from './frame-param.ts';
import { readRois } from './roi-param.ts';

/** The multipart field that carries images, as in the original API. */
export const IMAGE_FIELD = 'image';

async function readImages(req: Request, maxImages: number, maxBytes: number): Promise<{ images: Uint8Array[]; form: FormData }> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new ApiError(400, 'bad_request', `Send multipart/form-data with the image in a field named "${IMAGE_FIELD}"`);
  }
  let body: MultipartForm;
  try {
    body = await readMultipart(req, maxBytes, [IMAGE_FIELD]);
  } catch (err) {
    // The body-limit middleware aborts the stream with its own error; let it answer 413.
    if (err instanceof Error && err.name === 'BodyLimitError') throw err;
    if (!isMalformedMultipart(err)) throw err;
    throw new ApiError(400, 'bad_request', 'The multipart body is malformed');
  }
  const images = body.files.get(IMAGE_FIELD) ?? [];
  const texts = body.fields.getAll(IMAGE_FIELD).length;
  if (images.length + texts === 0) {
    throw new ApiError(400, 'missing_image', `No "${IMAGE_FIELD}" field in the form; send the image file in it`);
  }
  if (images.length + texts > maxImages) {
    throw new ApiError(413, 'too_many_images', `At most ${maxImages} images per request; got ${images.length + texts}`);
  }
  if (texts > 0) {
    throw new ApiError(400, 'missing_image', `The "${IMAGE_FIELD}" field must be a file upload, not text`);
  }
  return { images, form: body.fields };
}

/** POST /predict: one `image` part gives the original's flat answer; several give `{ results: [...] }`. */
export function predictRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/predict', async (c) => {
    const predictor = c.get('predictor');
    if (!predictor) throw new ApiError(503, 'not_ready', 'The model is still loading; retry shortly');
    const limits = c.get('limits');
    const deadline = performance.now() + limits.deadlineMs;
    const { images, form } = await readImages(c.req.raw, limits.maxImagesPerRequest, limits.maxBodyBytes);
    const rois = readRois(form, c.req.queries('roi') ?? [], images.length);
    const explain = ['1', 'true', 'yes'].includes((c.req.query('explain') ?? '').toLowerCase());
    // check=off (research use): a flagged image is classified anyway, its inputCheck saying flagged: true.
    const check = !['off', 'false', '0', 'no'].includes((c.req.query('check') ?? '').toLowerCase());
    const frames = readFrames(form, c.req.queries('frame') ?? [], images.length);
    const seen = predictor.lookupSeen(images); // hashes beside decoding and inference
    const outcomes = await predictor.predictMany(images, limits, explain, deadline, rois, check, frames);
    await predictor.markSeen(images, outcomes, seen);
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
