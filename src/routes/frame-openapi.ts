import { FRAME_FIELD } from './frame-param.ts';

const DESCRIPTION = 'Frame of a multi-frame image (DICOM cine), 1-based, default 1; one for all images or one per image. ' +
  'The answer\'s image.frames says how many there were';

/** The query parameter `frame`. */
export const FRAME_QUERY = {
  name: FRAME_FIELD,
  in: 'query',
  required: false,
  schema: { type: 'array', items: { type: 'integer', minimum: 1 } },
  description: `${DESCRIPTION}; not together with the form field`,
} as const;

/** The multipart field `frame`. */
export const FRAME_REQUEST_FIELD = {
  [FRAME_FIELD]: { type: 'array', items: { type: 'string', example: '1' }, description: DESCRIPTION },
} as const;
