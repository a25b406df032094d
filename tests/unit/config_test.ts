import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, limitsFromEnv } from '../../src/config.ts';
import { parseModelCard } from '../../src/model/card.ts';

Deno.test('limits come from the environment, with defaults', () => {
  assert.deepEqual(limitsFromEnv({}), DEFAULT_LIMITS);
  const limits = limitsFromEnv({ MAX_PIXELS: '1000', MAX_IMAGES_PER_REQUEST: '2' });
  assert.equal(limits.maxPixels, 1000);
  assert.equal(limits.maxImagesPerRequest, 2);
  assert.throws(() => limitsFromEnv({ MAX_BODY_BYTES: 'lots' }), /MAX_BODY_BYTES/);
  assert.throws(() => limitsFromEnv({ DEADLINE_MS: '-5' }), /DEADLINE_MS/);
});

Deno.test('a model card without name, version or a threshold in (0,1) is refused at start-up', () => {
  assert.throws(() => parseModelCard({ version: '1', threshold: { value: 0.5 } }), /name/);
  assert.throws(() => parseModelCard({ name: 'm', version: '1', threshold: { value: 1.5 } }), /threshold/);
  assert.equal(parseModelCard({ name: 'm', version: '1', threshold: { value: 0.3 } }).name, 'm');
});
