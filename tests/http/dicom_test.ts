/**
 * DICOM through app.request answers like the same frame sent as PNG (within 0.05): the files are built here from
 * shared BUSI images as 8-bit mono (explicit VR with preamble, implicit VR without), RGB, JPEG Baseline, a cine
 * loop read at `frame=N` (query or form field), and a frame with scanner UI around the ultrasound region.
 */
import assert from 'node:assert/strict';
import { hasBundledModel } from '../fixtures/app.ts';
import { hasData } from '../fixtures/data.ts';
import { encodeJpeg } from '../fixtures/encoders.ts';
import { encodeDicom, patientElements, pixelModule, ultrasoundRegions } from '../fixtures/dicom.ts';
import { grayReference, parityApp } from '../fixtures/parity.ts';

const ready = hasData() && (await hasBundledModel());
const FILES = ['busi/malignant/malignant (1).png', 'busi/benign/benign (1).png'];

/** The picture placed at (dx, dy) in a larger frame of bright "scanner UI" stripes. */
function framed(width: number, height: number, gray: Uint8Array, dx: number, dy: number) {
  const W = width + dx + 40, H = height + dy + 30;
  const out = Uint8Array.from({ length: W * H }, (_, i) => ((i % W) >> 3) % 2 ? 250 : 20);
  for (let y = 0; y < height; y++) out.set(gray.subarray(y * width, (y + 1) * width), (y + dy) * W + dx);
  return { W, H, out };
}

Deno.test({
  name: 'DICOM mono, RGB, JPEG Baseline, cine and B-mode region answer 200 within 0.05 of the same frame as PNG',
  ignore: !ready,
  async fn() {
    const { post } = await parityApp();
    for (const file of FILES) {
      const { gray: { width, height, data }, probability } = await grayReference(file, post);
      const patient = patientElements('Hollowmere');
      const rgb = new Uint8Array(data.length * 3);
      data.forEach((v, i) => rgb.set([v, v, v], i * 3));
      const other = data.map((v) => 255 - v);
      const cine = Uint8Array.from([...other, ...data, ...other]);
      const ui = framed(width, height, data, 57, 33);
      const ybr = { samples: 3, photometric: 'YBR_FULL_422' };
      const variants: [string, Uint8Array, string, { name: string; text: string }[], number?][] = [
        ['mono, explicit VR, Part 10', encodeDicom([...pixelModule(width, height), ...patient], data), '', []],
        ['mono, implicit VR, no preamble', encodeDicom([...pixelModule(width, height), ...patient], data, { syntax: 'implicit', container: 'no-preamble' }), '', []],
        ['RGB', encodeDicom([...pixelModule(width, height, { samples: 3 }), ...patient], rgb), '', []],
        ['JPEG Baseline', encodeDicom([...pixelModule(width, height, ybr), ...patient], { frames: [await encodeJpeg({ width, height, data })] }), '', []],
        ['cine, frame=2 in the query', encodeDicom([...pixelModule(width, height, { frames: 3 }), ...patient], cine), '&frame=2', [], 3],
        ['cine, frame 2 as a form field', encodeDicom([...pixelModule(width, height, { frames: 3 }), ...patient], cine), '', [{ name: 'frame', text: '2' }], 3],
        [
          'JPEG cine, frame=2',
          encodeDicom([...pixelModule(width, height, { ...ybr, frames: 2 }), ...patient], {
            frames: [await encodeJpeg({ width, height, data: other }), await encodeJpeg({ width, height, data })],
          }),
          '&frame=2',
          [],
          2,
        ],
        [
          'scanner UI around the B-mode region',
          encodeDicom([...pixelModule(ui.W, ui.H), ultrasoundRegions([[1, 1, 57, 33, 57 + width - 1, 33 + height - 1]]), ...patient], ui.out),
          '',
          [],
        ],
      ];
      for (const [name, bytes, query, fields, frames] of variants) {
        const { status, body } = await post(bytes, query, fields);
        assert.equal(status, 200, `${file} as ${name}: ${JSON.stringify(body)}`);
        assert.equal(body.image.format, 'dicom');
        assert.deepEqual([body.image.width, body.image.height], [width, height], `${file} as ${name}: size`);
        assert.deepEqual([body.image.frames, body.image.frame], [frames ?? 1, frames ? 2 : 1], `${file} as ${name}: frames`);
        const delta = Math.abs(body.probability - probability);
        assert.ok(delta <= 0.05, `${file} as ${name}: p ${body.probability} vs PNG ${probability}`);
      }
      // The first frame of the cine is the inverted picture: a different answer, so frame selection is real.
      const cineBytes = variants[4][1];
      const first = await post(cineBytes);
      assert.equal(first.body.image.frame, 1);
      assert.notEqual(first.body.probability, (await post(cineBytes, '&frame=2')).body.probability);
      const beyond = await post(cineBytes, '&frame=4');
      assert.equal(beyond.status, 400);
      assert.match(beyond.body.error.message, /the image has 3 frames/);
      assert.equal((await post(cineBytes, '&frame=zero')).status, 400);
    }
  },
});
