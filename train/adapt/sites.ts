/** The sites the adaptation benchmarks can adapt on and score (folders under the data root). */
import { readBusBra } from '../data/busbra.ts';
import { readBusi } from '../data/busi.ts';
import { readBreastLesions } from '../data/external.ts';
import type { Sample } from '../data/sample.ts';

/** Site folder name → display name and reader (labelled lesions only: BUSI's normal images are left out). */
export const SITES: Record<string, { name: string; read: (root: string) => Sample[] }> = {
  'breast-lesions-usg': { name: 'BrEaST (Poland)', read: readBreastLesions },
  'bus-bra': { name: 'BUS-BRA (Brazil)', read: readBusBra },
  busi: { name: 'BUSI (Egypt)', read: (root) => readBusi(root, { includeNormal: false }) },
};

/** The site's reader, or an error naming the known sites. */
export function site(name: string): { name: string; read: (root: string) => Sample[] } {
  const info = SITES[name];
  if (!info) throw new Error(`unknown site ${name} (known: ${Object.keys(SITES).join(', ')})`);
  return info;
}
