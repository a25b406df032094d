/** The page's box editor arithmetic (static/page/roi.js): what the request's roi parameter will say. */
import assert from 'node:assert/strict';
// @ts-types="./roi-js.d.ts"
import { boxAfterKey, fitBox, roiParam } from '../../static/page/roi.js';

Deno.test('fitBox keeps the box inside the image, whole pixels, sides ≥ 8 px', () => {
  assert.deepEqual(fitBox({ x: -5, y: 90, width: 3, height: 50 }, 100, 100), { x: 0, y: 50, width: 8, height: 50 });
  assert.deepEqual(fitBox({ x: 10.4, y: 20.6, width: 30.2, height: 40.5 }, 100, 100), { x: 10, y: 21, width: 30, height: 41 });
  assert.deepEqual(fitBox({ x: 0, y: 0, width: 500, height: 500 }, 100, 60), { x: 0, y: 0, width: 100, height: 60 });
  assert.deepEqual(fitBox({ x: 0, y: 0, width: 10, height: 10 }, 5, 60), { x: 0, y: 0, width: 5, height: 10 });
});

Deno.test('arrow keys move the box; with Shift they resize its right and bottom edges', () => {
  const box = { x: 10, y: 20, width: 30, height: 40 };
  assert.deepEqual(boxAfterKey(box, 'ArrowRight', false, 3), { x: 13, y: 20, width: 30, height: 40 });
  assert.deepEqual(boxAfterKey(box, 'ArrowUp', false, 3), { x: 10, y: 17, width: 30, height: 40 });
  assert.deepEqual(boxAfterKey(box, 'ArrowLeft', true, 3), { x: 10, y: 20, width: 27, height: 40 });
  assert.deepEqual(boxAfterKey(box, 'ArrowDown', true, 3), { x: 10, y: 20, width: 30, height: 43 });
  assert.equal(boxAfterKey(box, 'a', false, 3), null);
});

Deno.test('roiParam writes x,y,width,height as the API reads it', () => {
  assert.equal(roiParam({ x: 1.4, y: 2, width: 30, height: 40.6 }), '1,2,30,41');
});
