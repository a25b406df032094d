/** How the input gate shows in /openapi.json: the check query parameter and the inputCheck object. */

/** The query parameter `check`. */
export const CHECK_QUERY = {
  name: 'check',
  in: 'query',
  required: false,
  schema: { type: 'string', enum: ['on', 'off'], default: 'on' },
  description: 'off (for research): an image the input gate flags as not breast ultrasound is classified anyway, ' +
    'its inputCheck saying flagged: true, instead of answering 422 not_ultrasound',
} as const;

/** `inputCheck` in answers and in not_ultrasound errors. */
export const INPUT_CHECK_SCHEMA = {
  type: 'object',
  required: ['ultrasoundLike', 'flagged'],
  description: 'How much the input looks like the B-mode breast ultrasound the model was trained on (pooled CNN ' +
    'features and image statistics against the training images; threshold set on validation scans, see GET /model ' +
    'serving.inputGate). Absent when the model bundle has no gate.json.',
  properties: {
    ultrasoundLike: { type: 'number', minimum: 0, maximum: 1, description: 'Below 0.5 = flagged' },
    flagged: { type: 'boolean', description: 'The gate thinks this is not a breast ultrasound image' },
  },
} as const;
