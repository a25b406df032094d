/**
 * `deno run -A bench/parity.ts [--step=N] [--jpeg-step=N]`: the bundled model's probabilities through the
 * optimised serving path against the reference path, on the shared data (BUSI + BrEaST).
 * - PNG as stored: optimised = native stream-inflate PNG reader + optimised preprocessing + folded (fused) forward pass;
 *   reference = imagescript wasm codec + the original preprocessing + the tfjs-layers model.
 * - JPEG (each image upscaled 2× and encoded at quality 90 with imagescript, ≈ 1 MP for BUSI): optimised adds
 *   DCT-domain reduced-scale decoding (decodeJpeg atLeast = model input); reference decodes every pixel.
 * `--jpeg-margin=M` asks the reduced decode to cover M × the model input (default: JPEG_SCALE_MARGIN).
 * As a yardstick it also compares the PNG with its 2× JPEG, both on the reference path (what the re-encoding
 * alone does).
 * Reports max and p99 |Δp| and how many images change side of the card's threshold or change tier; writes
 * bench/results/parity.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Image } from 'imagescript';
import { parseArgs } from 'node:util';
import { createDecoders, type Decoders } from '../src/image/codecs.ts';
import { decodeImage, JPEG_SCALE_MARGIN } from '../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import { toModelInput } from '../src/image/preprocess.ts';
import type { InputSpec } from '../src/image/raster.ts';
import { parseModelCard } from '../src/model/card.ts';
import { Classifier } from '../src/model/classifier.ts';
import { confidenceTier } from '../src/model/tiers.ts';
import { BUNDLED_MODEL_DIR, readModelDir } from '../src/runtime/deno-model.ts';
import { startWasmBackend } from '../src/runtime/deno-tf.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { CODEC_URLS } from '../src/runtime/wasm-paths.ts';
import { DATA_DIR, hasData } from './images.ts';
import { referenceModelInput } from '../train/eval/reference-preprocess.ts';
import { loadAverage, percentile } from './stats.ts';

const { values: flags } = parseArgs({ args: Deno.args, options: { step: { type: 'string', default: '1' }, 'jpeg-step': { type: 'string', default: '1' }, 'jpeg-margin': { type: 'string' }, out: { type: 'string', default: 'parity.json' } } });
if (!hasData()) {
  console.error('parity: the shared data set is missing (expected ../shared/data or DATA_DIR).');
  Deno.exit(0);
}

await startWasmBackend();
const { artifacts, card: cardJson } = await readModelDir(BUNDLED_MODEL_DIR);
const card = parseModelCard(cardJson);
const classifier = await Classifier.fromArtifacts(artifacts);
const spec: InputSpec = classifier.inputSpec;
const layersModel = await tfl.loadLayersModel(tf.io.fromMemory({
  modelTopology: artifacts.modelJson.modelTopology,
  weightSpecs: artifacts.modelJson.weightsManifest.flatMap((g) => g.weights),
  weightData: (artifacts.weights['weights.bin'] as Uint8Array).slice().buffer,
}));
const fast = await loadDenoDecoders();
const slow: Decoders = createDecoders({
  png: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.png)),
  jpeg: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.jpeg)),
});
const limits = DEFAULT_IMAGE_LIMITS;

const referenceProbability = (input: Float32Array) =>
  tf.tidy(() => (layersModel.predict(tf.tensor4d(input, [1, spec.height, spec.width, spec.channels])) as tf.Tensor).dataSync()[0]);

function images(step: number): string[] {
  const folders = ['busi/benign', 'busi/malignant', 'busi/normal', 'breast-lesions-usg/benign', 'breast-lesions-usg/malignant'];
  return folders.flatMap((folder) =>
    [...Deno.readDirSync(`${DATA_DIR}/${folder}`)].map((e) => e.name).filter((n) => n.endsWith('.png')).sort()
      .filter((_, i) => i % step === 0).map((n) => `${folder}/${n}`)
  );
}

interface Comparison {
  images: number;
  maxAbsDeltaP: number;
  p99AbsDeltaP: number;
  meanAbsDeltaP: number;
  thresholdSideChanges: number;
  tierChanges: number;
  worst: { file: string; reference: number; optimised: number }[];
  /** The images that changed side of the threshold (they sit that close to it). */
  sideChanges: { file: string; reference: number; optimised: number }[];
}

function compare(rows: { file: string; reference: number; optimised: number }[]): Comparison {
  const deltas = rows.map((r) => Math.abs(r.reference - r.optimised)).sort((a, b) => a - b);
  const threshold = card.threshold.value;
  return {
    images: rows.length,
    maxAbsDeltaP: deltas[deltas.length - 1],
    p99AbsDeltaP: percentile(deltas, 99),
    meanAbsDeltaP: deltas.reduce((s, d) => s + d, 0) / deltas.length,
    thresholdSideChanges: rows.filter((r) => (r.reference >= threshold) !== (r.optimised >= threshold)).length,
    tierChanges: rows.filter((r) => confidenceTier(r.reference).id !== confidenceTier(r.optimised).id).length,
    sideChanges: rows.filter((r) => (r.reference >= threshold) !== (r.optimised >= threshold)),
    worst: [...rows].sort((a, b) => Math.abs(b.reference - b.optimised) - Math.abs(a.reference - a.optimised)).slice(0, 5),
  };
}

const pngRows: { file: string; reference: number; optimised: number }[] = [];
const jpegRows: { file: string; reference: number; optimised: number }[] = [];
const encodingRows: { file: string; reference: number; optimised: number }[] = [];
const jpegStep = Number(flags['jpeg-step']);
// decodeImage multiplies atLeast by JPEG_SCALE_MARGIN; --jpeg-margin overrides that margin for experiments.
const margin = Number(flags['jpeg-margin'] ?? JPEG_SCALE_MARGIN);
const atLeast = { width: (spec.width * margin) / JPEG_SCALE_MARGIN, height: (spec.height * margin) / JPEG_SCALE_MARGIN };
const files = images(Number(flags.step));
for (const [i, file] of files.entries()) {
  const bytes = Deno.readFileSync(`${DATA_DIR}/${file}`);
  const reference = referenceProbability(referenceModelInput(await decodeImage(bytes, slow, { limits }), spec));
  const optimised = classifier.classify([toModelInput(await decodeImage(bytes, fast, { limits }), spec)])[0];
  pngRows.push({ file, reference, optimised });
  if (i % jpegStep === 0) {
    const image = await Image.decode(bytes);
    image.resize(image.width * 2, image.height * 2);
    const jpeg = await image.encodeJPEG(90);
    const jpegReference = referenceProbability(referenceModelInput(await decodeImage(jpeg, slow, { limits }), spec));
    const jpegOptimised = classifier.classify([toModelInput(await decodeImage(jpeg, fast, { limits, atLeast }), spec)])[0];
    jpegRows.push({ file, reference: jpegReference, optimised: jpegOptimised });
    // Yardstick: how far the same picture sent as that JPEG (decoded in full) already moves the probability.
    encodingRows.push({ file, reference, optimised: jpegReference });
  }
  if (i % 100 === 0) console.error(`[parity] ${i}/${files.length}`);
}

const results = {
  date: new Date().toISOString(),
  model: `${card.name} ${card.version}`,
  threshold: card.threshold.value,
  jpegMargin: margin,
  loadAverage: loadAverage(),
  png: compare(pngRows),
  jpeg2x: compare(jpegRows),
  pngVersusJpeg2xFullDecode: compare(encodingRows),
};
await Deno.mkdir(new URL('./results/', import.meta.url), { recursive: true });
await Deno.writeTextFile(new URL(`./results/${flags.out}`, import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify({ png: { ...results.png, worst: undefined, sideChanges: undefined }, jpeg2x: { ...results.jpeg2x, worst: undefined, sideChanges: undefined }, pngVersusJpeg2xFullDecode: { ...results.pngVersusJpeg2xFullDecode, worst: undefined, sideChanges: undefined } }, null, 2));
