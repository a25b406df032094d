/**
 * DICOM: exact pixels for every native layout (mono 8/16-bit with rescale and window, MONOCHROME1, RGB, YBR), each
 * container (Part 10, no preamble, bare data set) and VR encoding; JPEG Baseline and cine frames; the ultrasound
 * region crop; refused transfer syntaxes and broken files answered 415/422/413 without quoting any tag value.
 */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { loadDenoDecoders } from '../../src/runtime/deno-wasm.ts';
import { encodeJpeg } from '../fixtures/encoders.ts';
import { type El, encodeDicom, type Layout, patientElements, pixelModule, ultrasoundRegions } from '../fixtures/dicom.ts';

const decoders = await loadDenoDecoders();
const W = 14, H = 6;
const gray = Uint8Array.from({ length: W * H }, (_, i) => (i * 37 + 11) % 256);
const MARKER = 'Qx7vHollowmere';
const limits = DEFAULT_IMAGE_LIMITS;

async function decoded(bytes: Uint8Array, frame?: number) {
  return await decodeImage(bytes, decoders, { limits, frame });
}
const redOf = (r: { data: Uint8Array; channels: number }) => Array.from({ length: r.data.length / r.channels }, (_, i) => r.data[i * r.channels]);

function u16le(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) new DataView(out.buffer).setUint16(i * 2, values[i], true);
  return out;
}

const mono8 = (layout: Layout, extra: El[] = []) => encodeDicom([...pixelModule(W, H), ...patientElements(MARKER), ...extra], gray, layout);

for (
  const [name, layout] of [
    ['Part 10, explicit VR', { syntax: 'explicit' }],
    ['Part 10, implicit VR', { syntax: 'implicit' }],
    ['no preamble, explicit VR', { syntax: 'explicit', container: 'no-preamble' }],
    ['no preamble, implicit VR', { syntax: 'implicit', container: 'no-preamble' }],
    ['bare data set, explicit VR', { syntax: 'explicit', container: 'bare' }],
    ['bare data set, implicit VR', { syntax: 'implicit', container: 'bare' }],
  ] as [string, Layout][]
) {
  Deno.test(`DICOM 8-bit MONOCHROME2, ${name}: exact pixels, one frame`, async () => {
    const bytes = mono8(layout);
    const header = sniffImage(bytes);
    assert.deepEqual([header.format, header.width, header.height, header.frames], ['dicom', W, H, 1]);
    const r = await decoded(bytes);
    assert.deepEqual([r.width, r.height, r.channels], [W, H, 1]);
    assert.deepEqual(Array.from(r.data), Array.from(gray));
  });
}

Deno.test('DICOM MONOCHROME1 is inverted (0 = white)', async () => {
  const r = await decoded(encodeDicom(pixelModule(W, H, { photometric: 'MONOCHROME1' }), gray));
  assert.deepEqual(Array.from(r.data), Array.from(gray, (v) => 255 - v));
});

Deno.test('DICOM 16-bit: rescale slope/intercept then the VOI window give back the 8-bit picture', async () => {
  // Stored s = (v·257 + 1000) / 2, rescaled by slope 2, intercept −1000 to v·257; the window 0 … 65535 maps that to v.
  const stored = Array.from(gray, (v) => (v * 257 + 1000) / 2);
  const elements: El[] = [
    ...pixelModule(W, H, { bits: 16 }),
    { tag: [0x0028, 0x1050], vr: 'DS', value: '32768\\40' },
    { tag: [0x0028, 0x1051], vr: 'DS', value: '65536\\80' },
    { tag: [0x0028, 0x1052], vr: 'DS', value: '-1000' },
    { tag: [0x0028, 0x1053], vr: 'DS', value: '2' },
  ];
  for (const syntax of ['explicit', 'implicit']) {
    const r = await decoded(encodeDicom(elements, u16le(stored), { syntax }));
    assert.deepEqual(Array.from(r.data), Array.from(gray), syntax);
  }
});

Deno.test('DICOM 16-bit signed, 12 bits stored, no window: stretched from the frame minimum to maximum', async () => {
  const values = Array.from(gray, (v) => v * 8 - 1024); // −1024 … 1016, two's complement in 12 bits
  const r = await decoded(encodeDicom(pixelModule(W, H, { bits: 16, stored: 12, signed: true }), u16le(values.map((v) => v & 0xfff))));
  const lo = Math.min(...values), hi = Math.max(...values);
  assert.deepEqual(Array.from(r.data), values.map((v) => Math.round(((v - lo) * 255) / (hi - lo))));
});

const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 53 + 7) % 256);
Deno.test('DICOM RGB, interleaved and planar', async () => {
  const planar = new Uint8Array(rgb.length);
  for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) planar[c * W * H + i] = rgb[i * 3 + c];
  for (const [bytes, label] of [[rgb, 0], [planar, 1]] as const) {
    const r = await decoded(encodeDicom(pixelModule(W, H, { samples: 3, planar: label }), bytes));
    assert.equal(r.channels, 3);
    assert.deepEqual(Array.from(r.data), Array.from(rgb), `planar ${label}`);
  }
});

Deno.test('DICOM YBR_FULL and YBR_FULL_422 of a gray picture decode to that gray', async () => {
  const full = new Uint8Array(W * H * 3);
  gray.forEach((v, i) => full.set([v, 128, 128], i * 3));
  const half = new Uint8Array(W * H * 2);
  for (let i = 0; i < W * H; i += 2) half.set([gray[i], gray[i + 1], 128, 128], i * 2);
  for (const [photometric, bytes] of [['YBR_FULL', full], ['YBR_FULL_422', half]] as const) {
    const r = await decoded(encodeDicom(pixelModule(W, H, { samples: 3, photometric }), bytes));
    assert.deepEqual(redOf(r), Array.from(gray), photometric);
    assert.deepEqual(Array.from(r.data.subarray(0, 6)), [gray[0], gray[0], gray[0], gray[1], gray[1], gray[1]]);
  }
});

Deno.test('DICOM cine: frame N is read, the header says how many there are, out of range is 400', async () => {
  const frames = [0, 1, 2].map((k) => gray.map((v) => (v + k * 50) % 256));
  const bytes = encodeDicom(pixelModule(W, H, { frames: 3 }), Uint8Array.from(frames.flatMap((f) => Array.from(f))));
  assert.equal(sniffImage(bytes).frames, 3);
  for (const k of [1, 2, 3]) assert.deepEqual(Array.from((await decoded(bytes, k)).data), Array.from(frames[k - 1]), `frame ${k}`);
  await rejects(() => decoded(bytes, 4), 400, /frame=4 is out of range: the image has 3 frames/);
});

Deno.test('DICOM JPEG Baseline: one frame, and cine frames with and without a Basic Offset Table', async () => {
  const frames = await Promise.all([0, 1, 2].map((k) => encodeJpeg({ width: W, height: H, data: gray.map((v) => (v + k * 80) % 256) })));
  const expected = await Promise.all(frames.map(async (f) => redOf(await decoded(f))));
  const ybr = { samples: 3, photometric: 'YBR_FULL_422' };
  const one = encodeDicom(pixelModule(W, H, ybr), { frames: [frames[0]] });
  assert.deepEqual(redOf(await decoded(one)), expected[0]);
  for (const offsetTable of [true, false]) {
    const cine = encodeDicom(pixelModule(W, H, { ...ybr, frames: 3 }), { frames, offsetTable });
    for (const k of [1, 2, 3]) assert.deepEqual(redOf(await decoded(cine, k)), expected[k - 1], `table ${offsetTable}, frame ${k}`);
  }
});

Deno.test('DICOM ultrasound regions: the largest B-mode (2D tissue) region is what is decoded and reported', async () => {
  const regions = ultrasoundRegions([
    [1, 1, 2, 1, 9, 4], // 2D tissue, 8 × 4: the one
    [1, 0, 0, 0, 13, 5], // 2D but not tissue (colour bar pane), larger
    [2, 1, 0, 0, 13, 5], // M-mode
  ]);
  for (const syntax of ['explicit', 'implicit']) {
    const bytes = encodeDicom([...pixelModule(W, H), regions], gray, { syntax });
    const header = sniffImage(bytes);
    assert.deepEqual([header.width, header.height], [8, 4], syntax);
    const r = await decoded(bytes);
    const expected = [1, 2, 3, 4].flatMap((y) => Array.from(gray.subarray(y * W + 2, y * W + 10)));
    assert.deepEqual(Array.from(r.data), expected, syntax);
  }
  // A region running past the frame is clipped to it.
  const clipped = sniffImage(encodeDicom([...pixelModule(W, H), ultrasoundRegions([[1, 1, 3, 2, 500, 500]])], gray));
  assert.deepEqual([clipped.width, clipped.height], [W - 3, H - 2]);
});

async function rejects(fn: () => Promise<unknown>, status: number, pattern: RegExp) {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes(MARKER), 'no tag value in the message');
    return true;
  });
}

Deno.test('DICOM refusals: other transfer syntaxes named (415), unknown ones not echoed, broken files 422, bombs 413', async () => {
  const withSyntax = (syntax: string) => encodeDicom([...pixelModule(W, H), ...patientElements(MARKER)], gray, { syntax });
  await rejects(() => decoded(withSyntax('1.2.840.10008.1.2.4.90')), 415, /JPEG 2000 \(lossless only\) \(1\.2\.840\.10008\.1\.2\.4\.90\)/);
  await rejects(() => decoded(withSyntax('1.2.840.10008.1.2.5')), 415, /RLE Lossless/);
  await rejects(() => decoded(withSyntax(`1.2.${MARKER}`)), 415, /This DICOM transfer syntax is not supported/);
  await rejects(() => decoded(encodeDicom(pixelModule(W, H, { photometric: 'PALETTE COLOR' }), gray)), 415, /Photometric/);
  await rejects(() => decoded(encodeDicom(pixelModule(W, H, { bits: 32 }), new Uint8Array(W * H * 4))), 415, /Bits Allocated/);
  await rejects(() => decoded(encodeDicom(patientElements(MARKER), new Uint8Array(0))), 422, /DICOM/);
  const whole = mono8({});
  await rejects(() => decoded(whole.subarray(0, whole.length - 10)), 422, /DICOM/);
  await rejects(() => decoded(encodeDicom(pixelModule(W, H, { frames: 2 }), gray)), 422, /DICOM pixel data is shorter than its frames/);
  await rejects(() => decoded(whole.subarray(0, 200)), 422, /DICOM/);
  // Native pixels are in the file: a header declaring more than the data holds is corrupt, not large.
  await rejects(() => decoded(encodeDicom(pixelModule(30_000, 30_000), gray)), 422, /shorter than its frames/);
  // The region is small, the frame it is cut from is not: the limits apply to the frame.
  const bomb = encodeDicom([...pixelModule(30_000, 30_000, { frames: 1 }), ultrasoundRegions([[1, 1, 0, 0, 9, 9]])], { frames: [await encodeJpeg({ width: W, height: H, data: gray })] });
  await rejects(() => decoded(bomb), 413, /30000×30000/);
  // A JPEG frame whose own header does not match Rows × Columns.
  const mismatch = encodeDicom(pixelModule(W + 2, H, { samples: 3, photometric: 'YBR_FULL_422' }), { frames: [await encodeJpeg({ width: W, height: H, data: gray })] });
  await rejects(() => decoded(mismatch), 422, /Rows × Columns/);
});
