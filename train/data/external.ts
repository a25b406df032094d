import { join } from 'node:path';
import { readCsv } from './csv.ts';
import { parseBox } from './busbra.ts';
import type { Sample } from './sample.ts';

/** Reads BrEaST-Lesions_USG (one image per patient) through its labels.csv: the external test set. */
export function readBreastLesions(root: string): Sample[] {
  return readCsv(join(root, 'labels.csv'))
    .filter((r) => r.label === 'benign' || r.label === 'malignant')
    .map((r) => ({
      path: join(root, r.file),
      label: r.label === 'malignant' ? 1 : 0,
      className: r.label,
      group: `case${r.case_id}`,
      site: 'breast',
      birads: r.birads,
      box: parseBox(r.bbox_xywh),
      masks: r.mask ? [join(root, r.mask)] : [],
    }));
}
