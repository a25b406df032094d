import { ApiError } from '../errors.ts';
import { fieldOrQuery } from './field-or-query.ts';
import { parseRoi, type Roi } from '../image/roi.ts';

/** The multipart field (and query parameter) that carries a lesion box, `x,y,width,height`. */
export const ROI_FIELD = 'roi';

/**
 * The lesion box of each image, in order: from the multipart `roi` fields, or else the `roi` query
 * parameters (the page sends it there). Either source must name one box per image (an empty value means
 * "whole image" for that one), or none at all. Throws 400 on a count mismatch or both sources, 422
 * `invalid_roi` on a malformed box.
 */
export function readRois(form: FormData, query: string[], imageCount: number): (Roi | undefined)[] {
  const values = fieldOrQuery(form, query, ROI_FIELD);
  if (values.length === 0) return [];
  if (values.length !== imageCount) {
    throw new ApiError(
      400,
      'bad_request',
      `Got ${values.length} "${ROI_FIELD}" value(s) for ${imageCount} image(s); send one per image, in order (empty = whole image)`,
    );
  }
  return values.map((value, i) => {
    if (typeof value !== 'string') throw new ApiError(422, 'invalid_roi', `"${ROI_FIELD}" must be a text field, not a file`);
    if (value.trim() === '') return undefined;
    try {
      return parseRoi(value);
    } catch (err) {
      // With several images, say which box was wrong.
      if (err instanceof ApiError && imageCount > 1) throw new ApiError(err.status, err.code, `image ${i + 1}: ${err.message}`);
      throw err;
    }
  });
}
