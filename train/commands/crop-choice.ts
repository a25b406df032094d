/**
 * `npx tsx train/cli.ts crop-choice --model DIR`: box-mode AUC on the model's VALIDATION images (expert boxes) for two
 * ways of turning the box into the square model input — the box + margin squashed to the square (what the server
 * does, src/image/input.ts), or squared around its centre and slid inside the image. Validation only: it chooses,
 * BrEaST never does. Writes DIR/crop-choice.json (or --json FILE).
 *   [--data DIR] [--json FILE]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/image/decode.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import { clipRoi, cropRaster, ROI_MARGIN } from '../../src/image/roi.ts';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { parseFlags } from '../args.ts';
import { readTrainingSites, SITE_FOLDERS } from '../data/sites.ts';
import { lesionBox } from '../data/views.ts';
import { bootstrapCi, rocAuc } from '../eval/metrics.ts';
import { writeJson } from '../write-json.ts';

/** Runs the command. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, { model: { type: 'string' }, json: { type: 'string' } });
  if (!args.model) throw new Error('--model DIR is required');
  const dir = resolve(args.model);
  const { useServingBackend, loadServingClassifier } = await import('../eval/serving.ts');
  await useServingBackend();
  const classifier = await loadServingClassifier(dir);
  const decoders = await loadNodeDecoders();
  const byPath = new Map(readTrainingSites(args.data!).map((s) => [s.path, s]));
  const val = (JSON.parse(readFileSync(join(dir, 'split.json'), 'utf8')).val as { site: 'busi' | 'busbra'; file: string }[])
    .map((r) => byPath.get(join(args.data!, SITE_FOLDERS[r.site], r.file))!);
  const squashed: number[] = [], square: number[] = [], labels: number[] = [];
  for (const sample of val) {
    const box = await lesionBox(sample, decoders);
    if (!box) continue;
    const bytes = readFileSync(sample.path);
    const raster = await decodeImage(bytes, decoders, { limits: DEFAULT_IMAGE_LIMITS });
    const served = await imageToModelInput(bytes, decoders, classifier.inputSpec, DEFAULT_IMAGE_LIMITS, { roi: box, roiMargin: ROI_MARGIN });
    squashed.push(classifier.classify([served.input])[0]);
    // The alternative: the grown box made square around its centre, slid (not cut) to lie inside the image.
    const c = clipRoi(box, raster.width, raster.height);
    const dx = Math.round(c.width * ROI_MARGIN), dy = Math.round(c.height * ROI_MARGIN);
    const gw = c.width + 2 * dx, gh = c.height + 2 * dy;
    const w = Math.min(Math.max(gw, gh), raster.width), h = Math.min(Math.max(gw, gh), raster.height);
    const place = (centre: number, size: number, limit: number) => Math.round(Math.min(Math.max(centre - size / 2, 0), limit - size));
    const squareBox = { x: place(c.x - dx + gw / 2, w, raster.width), y: place(c.y - dy + gh / 2, h, raster.height), width: w, height: h };
    square.push(classifier.classify([toModelInput(cropRaster(raster, squareBox), classifier.inputSpec)])[0]);
    labels.push(sample.label);
  }
  const summary = (s: number[]) => ({ auc: rocAuc(s, labels), aucCi95: bootstrapCi(s, labels, rocAuc) });
  const result = { command: `npx tsx train/cli.ts crop-choice ${argv.join(' ')}`, n: labels.length, squashed: summary(squashed), square: summary(square) };
  writeJson(args.json ? resolve(args.json) : join(dir, 'crop-choice.json'), result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  classifier.dispose();
}
