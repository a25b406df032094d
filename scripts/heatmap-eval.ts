/**
 * How well do the class activation maps point at the lesion? On BUSI images with expert lesion masks (the
 * held-out test split in static/model/split.json), it reports:
 *   - pointing game: is the heatmap's strongest cell's centre inside the lesion mask (strict), or does that
 *     cell touch the mask (lenient)?
 *   - mass in mask: the share of heatmap mass that falls on lesion pixels, against the mask's share of the
 *     image (what a uniform map would score);
 *   - border mass: the share in the outer 10% strips where calipers, text and logos are burned in.
 * Run: deno run --allow-read --allow-env --allow-ffi scripts/heatmap-eval.ts [--json out.json]
 */
import { readCsv } from '../train/data/csv.ts';
import { DEFAULT_LIMITS } from '../src/config.ts';
import { decodeImage } from '../src/image/decode.ts';
import { bundledPredictor } from '../tests/fixtures/app.ts';
import { DATA_DIR } from '../tests/fixtures/data.ts';
import type { Prediction } from '../src/predictor.ts';

const predictor = await bundledPredictor();
const split = JSON.parse(Deno.readTextFileSync(new URL('../static/model/split.json', import.meta.url)));
const manifest = new Map(readCsv(`${DATA_DIR}/busi/manifest.csv`).map((r) => [r.file, r]));
const rows: { file: string; label: number; strict: boolean; lenient: boolean; inMask: number; maskShare: number; border: number }[] = [];

for (const { file, label } of split.test as { file: string; label: number }[]) {
  const masks = (manifest.get(file)?.masks ?? '').split(';').filter(Boolean);
  if (masks.length === 0) continue;
  const bytes = Deno.readFileSync(`${DATA_DIR}/busi/${file}`);
  const [result] = predictor.predictMany([bytes], DEFAULT_LIMITS, true) as Prediction[];
  const heat = result.heatmap!;
  const { width, height } = result.image;
  const mask = new Uint8Array(width * height);
  for (const m of masks) {
    const r = decodeImage(Deno.readFileSync(`${DATA_DIR}/busi/${m}`), predictor.decoders, { limits: DEFAULT_LIMITS });
    for (let i = 0; i < width * height; i++) if (r.data[i * r.channels] > 127) mask[i] = 1;
  }
  const maskArea = mask.reduce((n, v) => n + v, 0);
  if (maskArea === 0) continue;
  let total = 0, inMask = 0, border = 0, best = -1, bestCell = 0;
  const bx = width * 0.1, by = height * 0.1;
  for (let y = 0; y < height; y++) {
    const r = Math.min(heat.rows - 1, Math.floor(y / heat.cellHeight));
    for (let x = 0; x < width; x++) {
      const v = heat.values[r * heat.cols + Math.min(heat.cols - 1, Math.floor(x / heat.cellWidth))];
      total += v;
      if (mask[y * width + x]) inMask += v;
      if (x < bx || x >= width - bx || y < by || y >= height - by) border += v;
    }
  }
  heat.values.forEach((v, i) => {
    if (v > best) [best, bestCell] = [v, i];
  });
  const [cr, cc] = [Math.floor(bestCell / heat.cols), bestCell % heat.cols];
  const [x0, y0] = [Math.floor(cc * heat.cellWidth), Math.floor(cr * heat.cellHeight)];
  const [x1, y1] = [Math.min(width, Math.ceil((cc + 1) * heat.cellWidth)), Math.min(height, Math.ceil((cr + 1) * heat.cellHeight))];
  const centre = mask[Math.floor((y0 + y1) / 2) * width + Math.floor((x0 + x1) / 2)] === 1;
  let touches = false;
  for (let y = y0; y < y1 && !touches; y++) for (let x = x0; x < x1; x++) if (mask[y * width + x]) touches = true;
  rows.push({ file, label, strict: centre, lenient: touches, inMask: total ? inMask / total : 0, maskShare: maskArea / (width * height), border: total ? border / total : 0 });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const borderShare = 1 - 0.8 * 0.8; // area of the outer 10% strips
const summary = {
  images: rows.length,
  pointingStrict: mean(rows.map((r) => +r.strict)),
  pointingLenient: mean(rows.map((r) => +r.lenient)),
  massInMask: mean(rows.map((r) => r.inMask)),
  maskAreaShare: mean(rows.map((r) => r.maskShare)),
  massInBorder: mean(rows.map((r) => r.border)),
  borderAreaShare: borderShare,
  malignant: {
    images: rows.filter((r) => r.label === 1).length,
    pointingStrict: mean(rows.filter((r) => r.label === 1).map((r) => +r.strict)),
    pointingLenient: mean(rows.filter((r) => r.label === 1).map((r) => +r.lenient)),
    massInMask: mean(rows.filter((r) => r.label === 1).map((r) => r.inMask)),
    maskAreaShare: mean(rows.filter((r) => r.label === 1).map((r) => r.maskShare)),
  },
};
console.log(JSON.stringify(summary, null, 2));
const out = Deno.args.indexOf('--json');
if (out >= 0) Deno.writeTextFileSync(Deno.args[out + 1], JSON.stringify({ summary, rows }, null, 2));
