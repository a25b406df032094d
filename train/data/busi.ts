import { join } from 'node:path';
import { readCsv } from './csv.ts';
import type { Sample } from './sample.ts';

/** Reads BUSI through its manifest.csv, keeping the near-duplicate groups; `normal` images are optional negatives. */
export function readBusi(root: string, options: { includeNormal: boolean }): Sample[] {
  const rows = readCsv(join(root, 'manifest.csv'));
  return rows
    .filter((r) => r.label === 'benign' || r.label === 'malignant' || (options.includeNormal && r.label === 'normal'))
    .map((r) => ({
      path: join(root, r.file),
      label: r.label === 'malignant' ? 1 : 0,
      className: r.label,
      // Images without a near-duplicate form a group of their own.
      group: r.neardup_group ? `g${r.neardup_group}` : `f:${r.file}`,
      masks: r.masks ? r.masks.split(';').map((m) => join(root, m)) : [],
    }));
}
