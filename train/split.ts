import type { Sample } from './data/sample.ts';
import { seededRandom, shuffled } from './random.ts';

/** Train / validation / test parts of a data set. */
export interface Split<T = Sample> {
  train: T[];
  val: T[];
  test: T[];
}

/**
 * Splits by group, never by image (near-duplicates in two parts would leak), stratified by the group's label
 * (a group with any malignant image counts as malignant), reproducibly from `seed`.
 */
export function splitByGroup(samples: Sample[], fractions: { val: number; test: number }, seed: number): Split {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  const random = seededRandom(seed);
  const split: Split = { train: [], val: [], test: [] };
  for (const stratum of [0, 1]) {
    const members = [...groups.entries()]
      .filter(([, items]) => Math.max(...items.map((s) => s.label)) === stratum)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const total = members.reduce((n, [, items]) => n + items.length, 0);
    let test = 0;
    let val = 0;
    for (const [, items] of shuffled(members, random)) {
      if (test < fractions.test * total) {
        split.test.push(...items);
        test += items.length;
      } else if (val < fractions.val * total) {
        split.val.push(...items);
        val += items.length;
      } else split.train.push(...items);
    }
  }
  return split;
}

/** The split as file lists, for the record in static/model/split.json. */
export function describeSplit(split: Split, root: string): Record<string, { file: string; label: number; group: string }[]> {
  const rel = (p: string) => (p.startsWith(root) ? p.slice(root.length).replace(/^\//, '') : p);
  return Object.fromEntries(
    (['train', 'val', 'test'] as const).map((part) => [
      part,
      split[part].map((s) => ({ file: rel(s.path), label: s.label, group: s.group })),
    ]),
  );
}

/**
 * Adds training-only samples (BUSI normals) to a finished split without changing it: validation and test stay
 * exactly as they were, so runs with and without the extras are compared on the same images. An extra whose
 * near-duplicate group already sits in validation or test is left out, so no near-copy leaks into training.
 */
export function addToTraining(split: Split, extras: Sample[]): Split {
  const heldOut = new Set([...split.val, ...split.test].map((s) => s.group));
  return { ...split, train: [...split.train, ...extras.filter((s) => !heldOut.has(s.group))] };
}
