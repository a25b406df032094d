import { join } from 'node:path';
import { readBusi } from './busi.ts';
import { readBusBra } from './busbra.ts';
import type { Sample } from './sample.ts';
import { type Split, splitByGroup } from '../split.ts';

/** The two training sites: BUSI (Cairo; grouped by near-duplicate group) and BUS-BRA (Rio; grouped by patient). */
export const TRAINING_SITES = ['busi', 'busbra'] as const;

/** One of the training sites. */
export type SiteName = (typeof TRAINING_SITES)[number];

/** Where each site lives under the data root. */
export const SITE_FOLDERS: Record<SiteName | 'breast', string> = { busi: 'busi', busbra: 'bus-bra', breast: 'breast-lesions-usg' };

/** Benign and malignant images of both training sites, each tagged with its site. */
export function readTrainingSites(dataRoot: string): Sample[] {
  const busi = readBusi(join(dataRoot, SITE_FOLDERS.busi), { includeNormal: false }).map((s) => ({ ...s, site: 'busi' }));
  return [...busi, ...readBusBra(join(dataRoot, SITE_FOLDERS.busbra))];
}

/**
 * Splits each site on its own (by group: BUSI near-duplicate groups, BUS-BRA patients; stratified; 70/15/15) and
 * joins the parts, so validation and test hold both sites in their own proportions.
 */
export function splitSites(samples: Sample[], seed: number, fractions = { val: 0.15, test: 0.15 }): Split {
  const parts = TRAINING_SITES.map((site) => splitByGroup(samples.filter((s) => s.site === site), fractions, seed));
  return {
    train: parts.flatMap((p) => p.train),
    val: parts.flatMap((p) => p.val),
    test: parts.flatMap((p) => p.test),
  };
}

/** Every `step`-th sample of each site and class (a quick run with `--limit`). */
export function thinOut(samples: Sample[], limit: number): Sample[] {
  const step = Math.max(1, Math.ceil(samples.length / limit));
  return samples.filter((_, i) => i % step === 0);
}

/** The split as file lists relative to each site's folder, for the model's split.json (and the gate, seen.bin). */
export function describeSiteSplit(split: Split, dataRoot: string): Record<'train' | 'val' | 'test', { site: string; file: string; label: number; group: string }[]> {
  const rel = (s: Sample) => {
    const root = join(dataRoot, SITE_FOLDERS[s.site as SiteName]) + '/';
    return s.path.startsWith(root) ? s.path.slice(root.length) : s.path;
  };
  const describe = (part: Sample[]) => part.map((s) => ({ site: s.site!, file: rel(s), label: s.label, group: s.group }));
  return { train: describe(split.train), val: describe(split.val), test: describe(split.test) };
}
