/** The images a model's split.json lists, with the data folder each one lives in. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SITE_FOLDERS } from '../data/sites.ts';

/** One image of a recorded split. */
export interface SplitImage {
  path: string;
  file: string;
  label: number;
  site: string;
}

/** Reads `<modelDir>/split.json` and returns the images of one part (train / val / test), paths resolved. */
export function readSplitPart(modelDir: string, dataRoot: string, part: string): SplitImage[] {
  const split = JSON.parse(readFileSync(join(modelDir, 'split.json'), 'utf8')) as Record<string, unknown>;
  const entries = split[part];
  if (!Array.isArray(entries)) throw new Error(`${modelDir}/split.json has no "${part}" list`);
  return entries.map((e: { file: string; label: number; site?: string }) => {
    // Entries without `site` are BUSI (split.json of the BUSI-only models).
    const site = e.site ?? 'busi';
    const folder = (SITE_FOLDERS as Record<string, string>)[site];
    if (!folder) throw new Error(`split.json: unknown site "${site}" (known: ${Object.keys(SITE_FOLDERS).join(', ')})`);
    return { path: join(dataRoot, folder, e.file), file: e.file, label: e.label, site };
  });
}

/** Count of images per site, for the record. */
export function countBySite(images: SplitImage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { site } of images) counts[site] = (counts[site] ?? 0) + 1;
  return counts;
}
