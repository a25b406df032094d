import { join } from 'node:path';
import { readCsv } from './csv.ts';
import { parseBox } from './busbra.ts';
import { isLesionRow, labelledFile, type Sample } from './sample.ts';

/** Reads BrEaST-Lesions_USG (one image per patient) through its labels.csv: the external test set. */
export function readBreastLesions(root: string): Sample[] {
  return readCsv(join(root, 'labels.csv'))
    .filter(isLesionRow)
    .map((r) => ({
      ...labelledFile(root, r),
      group: `case${r.case_id}`,
      site: 'breast',
      birads: r.birads,
      box: parseBox(r.bbox_xywh),
      masks: r.mask ? [join(root, r.mask)] : [],
    }));
}
