import { join } from 'node:path';
import { readCsv } from './csv.ts';
import { isLesionRow, labelledFile, type Sample } from './sample.ts';

/** Reads BUSI through its manifest.csv, keeping the near-duplicate groups; `normal` images are optional negatives. */
export function readBusi(root: string, options: { includeNormal: boolean }): Sample[] {
  const rows = readCsv(join(root, 'manifest.csv'));
  return rows
    .filter((r) => isLesionRow(r) || (options.includeNormal && r.label === 'normal'))
    .map((r) => ({
      ...labelledFile(root, r),
      // Images without a near-duplicate form a group of their own.
      group: r.neardup_group ? `g${r.neardup_group}` : `f:${r.file}`,
      masks: r.masks ? r.masks.split(';').map((m) => join(root, m)) : [],
    }));
}
