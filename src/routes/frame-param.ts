import { ApiError } from '../errors.ts';
import { fieldOrQuery } from './field-or-query.ts';

/** The multipart field (and query parameter) that picks the frame of a multi-frame image (DICOM cine), 1-based. */
export const FRAME_FIELD = 'frame';

/**
 * The frame to read for each image, in order: from the multipart `frame` fields, or else the `frame` query
 * parameters. One value applies to every image; otherwise there must be one per image (empty = the first frame).
 * Whether the frame exists is checked against each image's own header later (400 naming its frame count).
 */
export function readFrames(form: FormData, query: string[], imageCount: number): (number | undefined)[] {
  const values = fieldOrQuery(form, query, FRAME_FIELD);
  if (values.length === 0) return [];
  if (values.length !== 1 && values.length !== imageCount) {
    throw new ApiError(400, 'bad_request', `Got ${values.length} "${FRAME_FIELD}" values for ${imageCount} images; send one, or one per image`);
  }
  const frames = values.map((value) => {
    if (typeof value !== 'string') throw new ApiError(400, 'bad_request', `"${FRAME_FIELD}" must be a text field, not a file`);
    if (value.trim() === '') return undefined;
    if (!/^\s*\d{1,6}\s*$/.test(value) || Number(value) < 1) {
      throw new ApiError(400, 'bad_request', `"${FRAME_FIELD}" must be a whole number from 1 (the first frame)`);
    }
    return Number(value);
  });
  return values.length === 1 ? Array.from({ length: imageCount }, () => frames[0]) : frames;
}
