/**
 * The optimised decode + preprocessing (native stream-inflate PNG reader, gray kept one channel, rows resampled once)
 * against the slow reference (the imagescript wasm codec's RGBA output and the original per-output-row
 * preprocessing, kept below verbatim) on shared-data images. Tolerance: 1e-6 absolute per input value in
 * [0, 1]; the optimised path performs the same float operations in the same order, so the expected
 * difference is 0 and any change that breaks that shows here. The optimised side is imageToModelInput, the one
 * bytes → model-input path of serving, training and evaluation; a ≥ 512 px JPEG makes it take the reduced-scale
 * JPEG decode, which the reference then decodes at the same scale.
 */
import assert from 'node:assert/strict';
import { createDecoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { InputSpec, Raster } from '../../src/image/raster.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { CODEC_URLS } from '../../src/runtime/wasm-paths.ts';
import { DATA_DIR, hasData, readData } from '../fixtures/data.ts';
import { Image } from 'imagescript';
import { referenceModelInput } from '../../train/eval/reference-preprocess.ts';

/** Largest allowed |optimised − reference| per model-input value. */
export const PREPROCESS_TOLERANCE = 1e-6;

async function referenceDecoders() {
  const [png, jpeg] = await Promise.all([Deno.readFile(CODEC_URLS.png), Deno.readFile(CODEC_URLS.jpeg)]);
  return createDecoders({ png: new WebAssembly.Module(png), jpeg: new WebAssembly.Module(jpeg) });
}

/** Every `step`-th image of each shared-data class folder (BUSI and BrEaST), in name order. */
function sampleImages(step: number): string[] {
  const folders = ['busi/benign', 'busi/malignant', 'busi/normal', 'breast-lesions-usg/benign', 'breast-lesions-usg/malignant'];
  return folders.flatMap((folder) => {
    const names = [...Deno.readDirSync(`${DATA_DIR}/${folder}`)].map((e) => e.name).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort();
    return names.filter((_, i) => i % step === 0).map((n) => `${folder}/${n}`);
  });
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

Deno.test('optimised preprocessing equals the reference on synthetic rasters of every channel layout', () => {
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  for (const channels of [1, 3, 4] as const) {
    for (const [w, h] of [[7, 5], [300, 211], [97, 400], [60, 60]]) {
      const raster: Raster = { width: w, height: h, channels, data: Uint8Array.from({ length: w * h * channels }, random) };
      for (const spec of [{ height: 128, width: 128, channels: 1 }, { height: 32, width: 48, channels: 3 }] as InputSpec[]) {
        const d = maxDifference(toModelInput(raster, spec), referenceModelInput(raster, spec));
        assert.ok(d <= PREPROCESS_TOLERANCE, `${w}×${h}×${channels} → ${JSON.stringify(spec)}: ${d}`);
      }
    }
  }
});

Deno.test({
  name: 'optimised decode + preprocessing equals the reference on shared-data images (BUSI, BrEaST)',
  ignore: !hasData(),
  async fn() {
    const fast = await loadDenoDecoders();
    const slow = await referenceDecoders();
    const spec: InputSpec = { height: 128, width: 128, channels: 1 };
    let worst = 0;
    const images = sampleImages(12);
    for (const file of images) {
      const bytes = Deno.readFileSync(`${DATA_DIR}/${file}`);
      const optimised = (await imageToModelInput(bytes, fast, spec, DEFAULT_IMAGE_LIMITS)).input;
      const reference = referenceModelInput(await decodeImage(bytes, slow, { limits: DEFAULT_IMAGE_LIMITS, atLeast: spec }), spec);
      const d = maxDifference(optimised, reference);
      assert.ok(d <= PREPROCESS_TOLERANCE, `${file}: max |Δ| ${d}`);
      worst = Math.max(worst, d);
    }
    console.log(`${images.length} images, max |Δ| = ${worst}`);
  },
});

Deno.test({
  name: 'a ≥ 512 px JPEG takes the reduced-scale decode in imageToModelInput, and equals the reference at that scale',
  ignore: !hasData(),
  async fn() {
    const fast = await loadDenoDecoders();
    const slow = await referenceDecoders();
    const spec: InputSpec = { height: 128, width: 128, channels: 1 };
    const image = await Image.decode(readData('busi/malignant/malignant (1).png'));
    image.resize(1024, Image.RESIZE_AUTO);
    const jpeg = await image.encodeJPEG(90);
    assert.ok(image.width >= 512 && image.height >= 512, `${image.width}×${image.height}`);
    const full = await decodeImage(jpeg, slow, { limits: DEFAULT_IMAGE_LIMITS });
    const reduced = await decodeImage(jpeg, slow, { limits: DEFAULT_IMAGE_LIMITS, atLeast: spec });
    assert.ok(reduced.width < full.width && reduced.width >= 2 * spec.width, `reduced decode ${reduced.width} of ${full.width}`);
    const optimised = (await imageToModelInput(jpeg, fast, spec, DEFAULT_IMAGE_LIMITS)).input;
    const d = maxDifference(optimised, referenceModelInput(reduced, spec));
    assert.ok(d <= PREPROCESS_TOLERANCE, `max |Δ| ${d}`);
  },
});
