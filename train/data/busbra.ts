import { join } from 'node:path';
import { readCsv } from './csv.ts';
import { isLesionRow, labelledFile, type Sample } from './sample.ts';

/** Reads BUS-BRA (Brazil) through its manifest.csv; a patient's views share a group so splits never separate them. */
export function readBusBra(root: string): Sample[] {
  return readCsv(join(root, 'manifest.csv'))
    .filter(isLesionRow)
    .map((r) => ({
      ...labelledFile(root, r),
      group: `p${r.patient}`,
      masks: r.mask ? [join(root, r.mask)] : [],
      site: 'busbra',
      device: r.device,
      birads: r.birads,
      box: parseBox(r.bbox_xywh),
    }));
}

/** "[x,y,w,h]" in stored pixels → [x, y, w, h], or undefined when absent. */
export function parseBox(text: string | undefined): [number, number, number, number] | undefined {
  if (!text) return undefined;
  const v = JSON.parse(text) as number[];
  return v.length === 4 && v.every(Number.isFinite) ? [v[0], v[1], v[2], v[3]] : undefined;
}
