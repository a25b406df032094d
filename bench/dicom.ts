/**
 * DICOM decode cost next to PNG and JPEG, on BUSI frames rebuilt as DICOM (tests/fixtures/dicom.ts): sniff
 * (dicom-parser's parse of the whole data set) and sniff + full-size decode, median ms over the images, per flavour.
 * Prints JSON; asserts nothing about time (compare rows of one run: a busy machine slows all of them).
 *
 *   nice -n 15 node_modules/.bin/deno run -A bench/dicom.ts [--images 20] [--json out.json]
 */
import { parseArgs } from 'node:util';
import { Image } from 'imagescript';
import { decodeImage } from '../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import { sniffImage } from '../src/image/sniff.ts';
import { loadDenoDecoders } from '../src/runtime/deno-wasm.ts';
import { DATA_DIR, readData } from '../tests/fixtures/data.ts';
import { encodeDicom, patientElements, pixelModule } from '../tests/fixtures/dicom.ts';

const { values: args } = parseArgs({ args: Deno.args, options: { images: { type: 'string', default: '20' }, json: { type: 'string' } } });
const decoders = await loadDenoDecoders();
const limits = DEFAULT_IMAGE_LIMITS;
const files = [...Deno.readDirSync(`${DATA_DIR}/busi/benign`)].map((e) => e.name).sort().slice(0, Number(args.images));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn: () => unknown, repeat = 5) => {
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) await fn();
  return (performance.now() - t0) / repeat;
};

const rows: Record<string, { sniff: number[]; decode: number[] }> = {};
for (const file of files) {
  const png = readData(`busi/benign/${file}`);
  const r = await decodeImage(png, decoders, { limits });
  const gray = r.channels === 1 ? r.data : Uint8Array.from({ length: r.width * r.height }, (_, i) => r.data[i * r.channels]);
  const image = new Image(r.width, r.height);
  gray.forEach((v, i) => image.bitmap.set([v, v, v, 255], i * 4));
  const rgb = new Uint8Array(gray.length * 3);
  gray.forEach((v, i) => rgb.set([v, v, v], i * 3));
  const patient = patientElements('Bench');
  const jpeg = await image.encodeJPEG(95);
  const flavours: Record<string, Uint8Array> = {
    png,
    'jpeg (quality 95)': jpeg,
    'dicom mono 8-bit explicit': encodeDicom([...pixelModule(r.width, r.height), ...patient], gray),
    'dicom mono 16-bit implicit, windowed': encodeDicom([
      ...pixelModule(r.width, r.height, { bits: 16 }), ...patient,
      { tag: [0x0028, 0x1050], vr: 'DS', value: '32768' }, { tag: [0x0028, 0x1051], vr: 'DS', value: '65536' },
    ], new Uint8Array(new Uint16Array(Array.from(gray, (v) => v * 257)).buffer), { syntax: 'implicit' }),
    'dicom RGB': encodeDicom([...pixelModule(r.width, r.height, { samples: 3 }), ...patient], rgb),
    'dicom JPEG Baseline': encodeDicom([...pixelModule(r.width, r.height, { samples: 3, photometric: 'YBR_FULL_422' }), ...patient], {
      frames: [jpeg],
    }),
  };
  for (const [name, bytes] of Object.entries(flavours)) {
    const row = (rows[name] ??= { sniff: [], decode: [] });
    row.sniff.push(await time(() => sniffImage(bytes)));
    row.decode.push(await time(() => decodeImage(bytes, decoders, { limits })));
  }
}
const result = {
  command: `deno run -A bench/dicom.ts ${Deno.args.join(' ')}`.trim(),
  images: files.length,
  medianMs: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { sniff: +median(v.sniff).toFixed(3), sniffAndDecode: +median(v.decode).toFixed(2) }])),
};
console.log(JSON.stringify(result, null, 2));
if (args.json) Deno.writeTextFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
