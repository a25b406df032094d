/** Runs the serving path with explanations on BUSI images and scores every heatmap against the lesion masks. */
import { DEFAULT_LIMITS } from '../../src/config.ts';
import { decodeImage } from '../../src/image/decode.ts';
import type { Predictor } from '../../src/predictor.ts';
import { centrePrior, type HeatmapScores, scoreHeatmap } from './heatmap.ts';

/** The maps compared: the two sides the API serves, the one the page shows first, and a baseline. */
export const MAPS = {
  malignant: '`values` (for malignancy)',
  benign: '`benignValues` (against)',
  pageDefault: "page's first view (side of the threshold)",
  centrePrior: 'centre prior (no model)',
} as const;
export type MapName = keyof typeof MAPS;

/** One image's scores for each map. */
export interface ImageScores {
  file: string;
  label: string;
  probability: number;
  maps: Record<MapName, HeatmapScores>;
}

/** A manifest row: the image's class and its `;`-separated lesion mask files (relative to busi/). */
export interface MaskedImage {
  file: string;
  label: string;
  masks: string;
}

/**
 * Scores the heatmaps of `images` (paths relative to `busiDir`) exactly as the server returns them. Images
 * without a lesion mask (the normal class) are skipped and counted.
 */
export async function scoreImages(
  predictor: Predictor,
  images: MaskedImage[],
  busiDir: string,
  border = 0.1,
): Promise<{ rows: ImageScores[]; skipped: number }> {
  const rows: ImageScores[] = [];
  let skipped = 0;
  for (const entry of images) {
    const masks = entry.masks.split(';').filter(Boolean);
    if (masks.length === 0 || entry.label === 'normal') {
      skipped++;
      continue;
    }
    const [result] = await predictor.predictMany([Deno.readFileSync(`${busiDir}/${entry.file}`)], DEFAULT_LIMITS, true, Infinity, [], false);
    if (result instanceof Error) throw new Error(`${entry.file}: ${result.message}`);
    const { heatmap, image, probability, aboveThreshold } = result;
    if (!heatmap) throw new Error(`${entry.file}: no heatmap; the model has no class activation map head`);
    // Union of the lesion masks (some images outline two lesions).
    const mask = new Uint8Array(image.width * image.height);
    for (const m of masks) {
      const raster = await decodeImage(Deno.readFileSync(`${busiDir}/${m}`), predictor.decoders, { limits: DEFAULT_LIMITS });
      if (raster.width !== image.width || raster.height !== image.height) throw new Error(`${m}: mask size differs from the image`);
      for (let i = 0; i < mask.length; i++) if (raster.data[i * raster.channels] > 127) mask[i] = 1;
    }
    if (!mask.some((v) => v)) {
      skipped++;
      continue;
    }
    const score = (values: number[]) => scoreHeatmap({ ...heatmap, values }, mask, image.width, image.height, border);
    rows.push({
      file: entry.file,
      label: entry.label,
      probability,
      maps: {
        malignant: score(heatmap.values),
        benign: score(heatmap.benignValues),
        pageDefault: score(aboveThreshold ? heatmap.values : heatmap.benignValues),
        centrePrior: score(centrePrior(heatmap.rows, heatmap.cols)),
      },
    });
  }
  return { rows, skipped };
}
