/** Training and serving see the same tensor for the same file, bit for bit, for every PNG colour type and JPEG
 * flavour, and the shared preprocessing matches hand-computed values. The serving side is the real Predictor
 * (decode → toModelInput → classifier) with a classifier that only records its input. */
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Image } from 'imagescript';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { InputSpec } from '../../src/image/raster.ts';
import type { Classifier } from '../../src/model/classifier.ts';
import { Predictor } from '../../src/predictor.ts';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { readBusi } from '../../train/data/busi.ts';
import { readBreastLesions } from '../../train/data/external.ts';
import { loadInputs, rastersToInputs } from '../../train/data/load.ts';
import type { Sample } from '../../train/data/sample.ts';
import { ColourType, encodePng } from './helpers/png.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = process.env.DATA_DIR ?? resolve(ROOT, '../shared/data');
const FIXTURES = join(ROOT, 'tests/fixtures/colour');
const MODEL_SPEC: InputSpec = { height: 128, width: 128, channels: 1 };
const decoders = await loadNodeDecoders();

/** The input the server hands its classifier for these bytes. */
async function servingInput(bytes: Uint8Array, spec: InputSpec): Promise<Float32Array> {
  let captured: Float32Array | undefined;
  const recorder = {
    inputSpec: spec,
    explainable: false,
    classify(inputs: Float32Array[]) {
      captured = inputs[0];
      return inputs.map(() => 0.5);
    },
  } as unknown as Classifier;
  const card = { name: 'parity', version: '0', threshold: { value: 0.5 } };
  const [outcome] = await new Predictor(recorder, decoders, card).predictMany([bytes], DEFAULT_IMAGE_LIMITS);
  assert.ok(!(outcome instanceof Error), `serving rejected the image: ${String(outcome)}`);
  return captured!;
}

/** The input training builds for a file (the same loader the CLI uses for BUSI, folders and evaluation). */
async function trainingInput(path: string, spec: InputSpec): Promise<Float32Array> {
  const sample: Sample = { path, label: 0, className: 'x', group: path };
  return (await loadInputs([sample], decoders, spec))[0];
}

function assertBitIdentical(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${what}: tensors differ`);
}

const R = 200, G = 100, B = 50;
const LUMA = 0.299 * R + 0.587 * G + 0.114 * B; // 124.2
const solid = (n: number, values: number[]) => Array.from({ length: n }, () => values).flat();

/** Generated 4×4 PNGs of one colour in every colour type and depth, with the value the model must get. */
const GENERATED: { name: string; png: Uint8Array; expected: number; tolerance: number }[] = [
  { name: 'gray 8-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.gray, bitDepth: 8, samples: solid(16, [77]) }), expected: 77, tolerance: 0 },
  { name: 'gray 16-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.gray, bitDepth: 16, samples: solid(16, [77 * 257]) }), expected: 77, tolerance: 0 },
  { name: 'gray+alpha 8-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.grayAlpha, bitDepth: 8, samples: solid(16, [200, 255]) }), expected: 200, tolerance: 0 },
  { name: 'gray+alpha 16-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.grayAlpha, bitDepth: 16, samples: solid(16, [200 * 257, 65535]) }), expected: 200, tolerance: 0 },
  { name: 'RGB 8-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgb, bitDepth: 8, samples: solid(16, [R, G, B]) }), expected: LUMA, tolerance: 1e-3 },
  { name: 'RGB 16-bit', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgb, bitDepth: 16, samples: solid(16, [R * 257, G * 257, B * 257]) }), expected: LUMA, tolerance: 1e-3 },
  { name: 'RGBA 8-bit opaque', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgba, bitDepth: 8, samples: solid(16, [R, G, B, 255]) }), expected: LUMA, tolerance: 1e-3 },
  { name: 'RGBA 8-bit half transparent (on black)', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgba, bitDepth: 8, samples: solid(16, [R, G, B, 51]) }), expected: LUMA * 0.2, tolerance: 1e-3 },
  { name: 'RGBA 8-bit transparent (on black)', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgba, bitDepth: 8, samples: solid(16, [R, G, B, 0]) }), expected: 0, tolerance: 0 },
  { name: 'RGBA 16-bit opaque', png: encodePng({ width: 4, height: 4, colourType: ColourType.rgba, bitDepth: 16, samples: solid(16, [R * 257, G * 257, B * 257, 65535]) }), expected: LUMA, tolerance: 1e-3 },
  { name: 'palette', png: encodePng({ width: 4, height: 4, colourType: ColourType.palette, bitDepth: 8, samples: solid(16, [1]), palette: [[10, 20, 30], [R, G, B]] }), expected: LUMA, tolerance: 1e-3 },
  { name: 'palette with tRNS (on black)', png: encodePng({ width: 4, height: 4, colourType: ColourType.palette, bitDepth: 8, samples: solid(16, [1]), palette: [[10, 20, 30], [R, G, B]], transparency: [255, 102] }), expected: LUMA * 0.4, tolerance: 1e-3 },
];

for (const c of GENERATED) {
  test(`generated PNG, ${c.name}: value by hand, training input == serving input`, async () => {
    const spec: InputSpec = { height: 2, width: 2, channels: 1 };
    const serving = await servingInput(c.png, spec);
    for (const v of serving) assert.ok(Math.abs(v - c.expected / 255) <= c.tolerance + 1e-6, `${c.name}: ${v * 255} vs ${c.expected}`);
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    try {
      writeFileSync(join(dir, 'x.png'), c.png);
      assertBitIdentical(await trainingInput(join(dir, 'x.png'), spec), serving, c.name);
      assertBitIdentical(await trainingInput(join(dir, 'x.png'), MODEL_SPEC), await servingInput(c.png, MODEL_SPEC), `${c.name} at 128×128`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('area-average resize by hand: a 3-pixel row to 2 pixels', async () => {
  // Output 0 covers source [0, 1.5): (0·1 + 90·0.5) / 1.5 = 30; output 1 covers [1.5, 3): (90·0.5 + 180·1) / 1.5 = 150.
  const png = encodePng({ width: 3, height: 1, colourType: ColourType.gray, bitDepth: 8, samples: [0, 90, 180] });
  const input = await servingInput(png, { height: 1, width: 2, channels: 1 });
  assert.ok(Math.abs(input[0] * 255 - 30) < 1e-3 && Math.abs(input[1] * 255 - 150) < 1e-3, `${Array.from(input).map((v) => v * 255)}`);
});

test('every colour fixture (PNG types, JPEG baseline/progressive/gray/CMYK): training input == serving input', async () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(png|jpe?g)$/.test(f));
  assert.ok(files.length >= 14, `expected the colour fixtures, found ${files.length}`);
  for (const file of files) {
    const path = join(FIXTURES, file);
    assertBitIdentical(await trainingInput(path, MODEL_SPEC), await servingInput(readFileSync(path), MODEL_SPEC), file);
  }
});

test('a 1024×768 JPEG (reduced-scale DCT decode in serving) gives training the same tensor as serving', async () => {
  const image = new Image(1024, 768);
  for (let y = 1; y <= 768; y++) for (let x = 1; x <= 1024; x++) image.setPixelAt(x, y, Image.rgbaToColor((x * 7 + y) % 256, (x ^ y) % 256, (y * 3) % 256, 255));
  const jpeg = await image.encodeJPEG(90);
  // The check means something only if the reduced path is taken: the decode is smaller than the file.
  const reduced = await decodeImage(jpeg, decoders, { limits: DEFAULT_IMAGE_LIMITS, atLeast: MODEL_SPEC });
  assert.ok(reduced.width < 1024 && reduced.width >= MODEL_SPEC.width, `decoded at ${reduced.width} px`);
  const dir = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    writeFileSync(join(dir, 'big.jpg'), jpeg);
    assertBitIdentical(await trainingInput(join(dir, 'big.jpg'), MODEL_SPEC), await servingInput(jpeg, MODEL_SPEC), '1024×768 JPEG');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const dataSkip = existsSync(join(DATA, 'busi/manifest.csv')) ? false : `needs the shared data in ${DATA}`;

test('BUSI and BrEaST files: training input == serving input (and the training batch tensor holds them unchanged)', { skip: dataSkip }, async () => {
  const busi = readBusi(join(DATA, 'busi'), { includeNormal: true });
  const picks = [...busi.filter((_, i) => i % 97 === 0), ...readBreastLesions(join(DATA, 'breast-lesions-usg')).filter((_, i) => i % 50 === 0)];
  const training = await loadInputs(picks, decoders, MODEL_SPEC);
  for (const [i, s] of picks.entries()) assertBitIdentical(training[i], await servingInput(readFileSync(s.path), MODEL_SPEC), s.path);
  let binding = true;
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
  } catch {
    binding = false;
  }
  if (binding) {
    // The batch model.fit receives is built by fit.ts' stack(): check it does not alter values.
    const { stack } = await import('../../train/fit.ts');
    const batch = stack(training, [128, 128, 1]);
    const flat = batch.dataSync() as Float32Array;
    batch.dispose();
    training.forEach((x, i) => assertBitIdentical(flat.subarray(i * x.length, (i + 1) * x.length), x, `batch row ${i}`));
  }
});

test('BreastMNIST arrays go through the same preprocessing as the same pixels sent as a PNG', { skip: existsSync(join(DATA, 'breastmnist/breastmnist_128.npz')) ? false : `needs ${DATA}/breastmnist` }, async () => {
  const { readBreastMnist } = await import('../../train/data/breastmnist.ts');
  const raster = readBreastMnist(join(DATA, 'breastmnist/breastmnist_128.npz')).test.rasters[0];
  const png = encodePng({ width: raster.width, height: raster.height, colourType: ColourType.gray, bitDepth: 8, samples: Array.from(raster.data) });
  assertBitIdentical(rastersToInputs([raster], MODEL_SPEC)[0], await servingInput(png, MODEL_SPEC), 'breastmnist test[0]');
});
