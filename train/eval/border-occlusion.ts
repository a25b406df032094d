/**
 * Does the model's answer depend on the image border, where BUSI burns in calipers' labels, text and logos?
 * Each image is scored as served and again with its outer border strips painted black.
 */
import { DEFAULT_LIMITS } from '../../src/config.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { Raster } from '../../src/image/raster.ts';
import type { Predictor } from '../../src/predictor.ts';
import { inBorder } from './heatmap.ts';

/** A copy of `raster` with every pixel in the outer `border` fraction set to black (alpha kept). */
export function blankBorder(raster: Raster, border: number): Raster {
  const data = raster.data.slice();
  const colour = raster.channels === 4 ? 3 : raster.channels;
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) {
      if (!inBorder(x, y, raster.width, raster.height, border)) continue;
      const at = (y * raster.width + x) * raster.channels;
      for (let c = 0; c < colour; c++) data[at + c] = 0;
    }
  }
  return { ...raster, data };
}

/** One image's probability of malignancy as served and with its border blanked. */
export interface OcclusionResult {
  file: string;
  label: string;
  original: number;
  blanked: number;
}

/** Scores each image (path relative to `busiDir`) both ways through the serving preprocessing and model. */
export async function borderOcclusion(
  predictor: Predictor,
  images: { file: string; label: string }[],
  busiDir: string,
  border = 0.1,
): Promise<OcclusionResult[]> {
  const spec = predictor.classifier.inputSpec;
  return Promise.all(images.map(async ({ file, label }) => {
    const raster = await decodeImage(Deno.readFileSync(`${busiDir}/${file}`), predictor.decoders, { limits: DEFAULT_LIMITS });
    const [original, blanked] = predictor.classifier.classify([
      toModelInput(raster, spec),
      toModelInput(blankBorder(raster, border), spec),
    ]);
    return { file, label, original, blanked };
  }));
}
