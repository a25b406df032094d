/** Every PNG colour type and JPEG flavour decodes and preprocesses to the same picture (fixtures made with
 * ImageMagick from one synthetic gradient; see tests/fixtures/colour/README.md). */
import assert from 'node:assert/strict';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';

const decoders = await loadDenoDecoders();
const dir = new URL('../fixtures/colour/', import.meta.url);
const spec = { height: 16, width: 24, channels: 1 as const };

async function input(name: string) {
  const raster = await decodeImage(Deno.readFileSync(new URL(name, dir)), decoders, { limits: DEFAULT_IMAGE_LIMITS });
  assert.equal(raster.width, 48, name);
  assert.equal(raster.height, 32, name);
  return toModelInput(raster, spec);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const reference = await input('rgb8.png');
// Lossless variants must match the 8-bit reference exactly up to the 16→8-bit rounding;
// JPEG variants within compression error; ImageMagick's own gray conversion within luma-formula differences.
const cases: [string, number][] = [
  ['rgb16.png', 1 / 255],
  ['rgba8.png', 0],
  ['rgba16.png', 1 / 255],
  ['interlaced.png', 0],
  ['palette.png', 0.03],
  ['palette-trns.png', 0.03],
  ['gray8.png', 0.06],
  ['baseline.jpg', 0.03],
  ['progressive.jpg', 0.03],
  ['cmyk.jpg', 0.03],
];
// Gray files against the 8-bit gray one (same gray conversion, so only depth and compression differ).
const grayReference = await input('gray8.png');
const grayCases: [string, number][] = [
  ['gray16.png', 1 / 255],
  ['graya8.png', 0],
  ['gray.jpg', 0.03],
];

for (const [name, tolerance, ref] of [
  ...cases.map(([n, t]) => [n, t, reference] as const),
  ...grayCases.map(([n, t]) => [n, t, grayReference] as const),
]) {
  Deno.test(`${name} decodes to the reference picture (±${tolerance.toFixed(3)})`, async () => {
    const diff = maxDiff(await input(name), ref);
    assert.ok(diff <= tolerance + 1e-6, `${name}: max |Δ| = ${diff.toFixed(4)}`);
  });
}

Deno.test('input values are in [0, 1] and not all equal', () => {
  assert.ok(reference.every((v) => v >= 0 && v <= 1));
  assert.ok(Math.max(...reference) - Math.min(...reference) > 0.1);
});
