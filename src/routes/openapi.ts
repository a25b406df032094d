import { Hono } from 'hono';
import type { AppEnv } from '../types.ts';
import { IMAGE_FIELD } from './predict.ts';
import { CHECK_QUERY, INPUT_CHECK_SCHEMA } from './gate-openapi.ts';
import { ROI_DESCRIPTION, ROI_QUERY, ROI_REQUEST_FIELD, ROI_SCHEMA } from './roi-openapi.ts';
import { acceptedNames } from '../image/sniff.ts';
import { FRAME_QUERY, FRAME_REQUEST_FIELD } from './frame-openapi.ts';

const json = (schema: object) => ({ 'application/json': { schema } });
const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: json(errorRef) });

/** The OpenAPI 3 document of every route (a test checks it lists exactly the app's routes). */
export const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'Breast tumour classifier',
    version: '1.0.0',
    description:
      'Classifies breast ultrasound images as benign, uncertain or malignant. Research use only: not a medical device.',
  },
  paths: {
    '/': {
      get: {
        summary: 'Greeting for API clients; browsers (Accept: text/html) get the web page',
        responses: {
          '200': { description: 'Greeting, or the page', content: { ...json({ type: 'object' }), 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    '/health': {
      get: {
        summary: 'Liveness: the process answers',
        responses: { '200': { description: 'Alive', content: json({ type: 'object', properties: { status: { type: 'string' } } }) } },
      },
    },
    '/ready': {
      get: {
        summary: 'Readiness: the model is loaded and warmed up',
        responses: {
          '200': { description: 'Ready', content: json({ type: 'object' }) },
          '503': errorResponse('Still loading (or failed to load)'),
        },
      },
    },
    '/model': {
      get: {
        summary: 'The model card: version, input spec, classes, threshold, calibration, metrics, intended use, limitations',
        description: 'By default a summary (headline metrics per set, no training history); `?full=1` sends the whole card.',
        parameters: [{ name: 'full', in: 'query', required: false, schema: { type: 'boolean' }, description: 'Send the whole card' }],
        responses: { '200': { description: 'Model card', content: json({ type: 'object' }) }, '503': errorResponse('Not ready') },
      },
    },
    '/page/{file}': {
      get: {
        summary: "The web page's scripts and style sheet (app.js, roi.js, style.css)",
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The file' }, '404': errorResponse('No such file') },
      },
    },
    '/favicon.ico': {
      get: { summary: "The page's icon (SVG)", responses: { '200': { description: 'Icon', content: { 'image/svg+xml': {} } } } },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3 document', content: json({ type: 'object' }) } } },
    },
    '/predict': {
      post: {
        summary: 'Classify one or more images',
        description:
          `Send ${acceptedNames()} images as multipart field "${IMAGE_FIELD}" (EXIF orientation applied; docs/formats.md). One image answers a Prediction; several answer ` +
          '`{ results: [...] }` in order, each a Prediction or an error of its own. Formats are detected by magic bytes. ' +
          ROI_DESCRIPTION,
        parameters: [{
          name: 'explain',
          in: 'query',
          required: false,
          schema: { type: 'boolean' },
          description: 'Add a class activation heatmap to each prediction',
        }, ROI_QUERY, CHECK_QUERY, FRAME_QUERY],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: [IMAGE_FIELD],
                properties: {
                  [IMAGE_FIELD]: { type: 'array', items: { type: 'string', format: 'binary' } },
                  ...ROI_REQUEST_FIELD,
                  ...FRAME_REQUEST_FIELD,
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Prediction (one image) or results (several)',
            content: json({ oneOf: [{ $ref: '#/components/schemas/Prediction' }, { $ref: '#/components/schemas/Results' }] }),
            headers: { 'Server-Timing': { schema: { type: 'string' }, description: 'Per-stage durations' } },
          },
          '400': errorResponse('Not multipart, malformed, no image field, roi count ≠ image count, or no such frame'),
          '401': errorResponse('Missing or wrong API key (when one is configured)'),
          '405': errorResponse('Method not allowed'),
          '408': errorResponse('The request body did not arrive within DEADLINE_MS'),
          '413': errorResponse('Body too large, too many pixels, or too many images'),
          '415': errorResponse(`Not one of ${acceptedNames()}, or a variant of them not read (RLE BMP, JPEG-in-TIFF, DICOM JPEG 2000, …)`),
          '422': errorResponse(
            'Corrupt or truncated image (corrupt_image), a malformed lesion box (invalid_roi), or an image that does not ' +
              'look like breast ultrasound (not_ultrasound, with its inputCheck; check=off classifies it anyway)',
          ),
          '429': errorResponse('Rate limited'),
          '503': errorResponse('Model not ready'),
        },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
          inputCheck: INPUT_CHECK_SCHEMA,
        },
      },
      Prediction: {
        type: 'object',
        required: [
          'prediction', 'description', 'classification', 'decision', 'decisionText', 'probability', 'score', 'calibrated',
          'tier', 'threshold', 'model', 'timings', 'mode',
        ],
        properties: {
          prediction: { type: 'string', description: '`probability`, 2 decimals (as the original API)' },
          description: { type: 'string' },
          classification: {
            type: 'string',
            enum: ['Benign', 'Uncertain', 'Malignant'],
            description: 'From the tier; tiers are re-based on the threshold, so Benign is always below it',
          },
          decision: {
            type: 'string',
            enum: ['flagged', 'below_threshold'],
            description: 'score ≥ threshold: flagged for work-up; else below the threshold (does not rule out cancer)',
          },
          decisionText: { type: 'string', description: 'The decision in one plain sentence' },
          probability: {
            type: 'number',
            minimum: 0,
            maximum: 1,
            description: 'Calibrated probability of malignancy when `calibrated` is true, else the raw score',
          },
          score: { type: 'number', minimum: 0, maximum: 1, description: "The model's raw output; `threshold` applies to it" },
          calibrated: { type: 'boolean', description: "Whether `probability` went through the card's calibration" },
          tier: {
            type: 'string',
            enum: ['very_likely_benign', 'likely_benign', 'uncertain', 'possibly_malignant', 'likely_malignant', 'very_likely_malignant'],
          },
          threshold: { type: 'number', description: "The model card's operating threshold, on the raw score" },
          aboveThreshold: { type: 'boolean', description: 'score ≥ threshold (the same as decision = flagged)' },
          seenInTraining: {
            type: 'boolean',
            description: "These exact file bytes were one of the model's training images (absent when the bundle has no seen.bin)",
          },
          image: {
            type: 'object',
            properties: {
              format: { type: 'string' },
              width: { type: 'integer' },
              height: { type: 'integer' },
              frames: { type: 'integer', description: 'Multi-frame formats (DICOM): how many frames the file has' },
              frame: { type: 'integer', description: 'Multi-frame formats: the 1-based frame that was read' },
            },
          },
          model: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
          timings: {
            type: 'object',
            description: 'Milliseconds per stage',
            properties: {
              decode: { type: 'number' },
              preprocess: { type: 'number' },
              inference: { type: 'number' },
              gate: { type: 'number', description: 'Input gate: image statistics and distances' },
              explain: { type: 'number' },
            },
          },
          inputCheck: INPUT_CHECK_SCHEMA,
          mode: { type: 'string', enum: ['roi', 'whole'], description: 'roi: the model read only the lesion box' },
          roi: ROI_SCHEMA,
          heatmap: {
            type: 'object',
            description: 'Class activation map (with ?explain=true): row-major values in [0, 1] over what the model read ' +
              '(the whole image, or the roi box): cell (r, c) covers x from x0 + c·cellWidth, y from y0 + r·cellHeight ' +
              'in original-image pixels; ' +
              'values = evidence for malignancy, benignValues = evidence against it, each scaled to its strongest cell',
            properties: {
              rows: { type: 'integer' },
              cols: { type: 'integer' },
              values: { type: 'array', items: { type: 'number' } },
              benignValues: { type: 'array', items: { type: 'number' } },
              cellWidth: { type: 'number' },
              cellHeight: { type: 'number' },
              x0: { type: 'number' },
              y0: { type: 'number' },
            },
          },
        },
      },
      Results: {
        type: 'object',
        properties: {
          results: {
            type: 'array',
            items: {
              oneOf: [
                { $ref: '#/components/schemas/Prediction' },
                { allOf: [errorRef, { type: 'object', properties: { status: { type: 'integer' } } }] },
              ],
            },
          },
        },
      },
    },
  },
} as const;

/** GET /openapi.json. */
export function openApiRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/openapi.json', (c) => c.json(OPENAPI));
  return routes;
}
