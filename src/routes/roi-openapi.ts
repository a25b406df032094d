import { MIN_ROI_SIDE } from '../image/roi.ts';
import { ROI_FIELD } from './roi-param.ts';

/** How box mode is asked for, as /openapi.json explains it. */
export const ROI_DESCRIPTION =
  `Box mode: "${ROI_FIELD}" = "x,y,width,height" (integers, pixels of the image as displayed, after EXIF orientation; ` +
  `width and height ≥ ${MIN_ROI_SIDE}) marks the lesion, as a form field or a query parameter; with several images, ` +
  'one per image in order (empty = whole image for that one). The server clips the box to the image, adds the ' +
  'margin of GET /model serving.roi.margin on each side, clips it to the image and classifies that crop only (resized to the square model input); the answer ' +
  'reports that box as "roi" and "mode": "roi".';

/** The query parameter `roi`. */
export const ROI_QUERY = {
  name: ROI_FIELD,
  in: 'query',
  required: false,
  schema: { type: 'array', items: { type: 'string', pattern: '^-?\\d+,-?\\d+,\\d+,\\d+$' } },
  description: 'Lesion box x,y,width,height per image (see the description); not together with the form field',
} as const;

/** The multipart field `roi`. */
export const ROI_REQUEST_FIELD = {
  [ROI_FIELD]: {
    type: 'array',
    items: { type: 'string', example: '120,80,64,48' },
    description: 'Lesion box x,y,width,height per image, in order',
  },
} as const;

/** The box in an answer. */
export const ROI_SCHEMA = {
  type: 'object',
  description: 'Box mode only: the crop the model read (the given box clipped, grown by the margin, clipped again), ' +
    'in original-image pixels',
  properties: { x: { type: 'integer' }, y: { type: 'integer' }, width: { type: 'integer' }, height: { type: 'integer' } },
} as const;
