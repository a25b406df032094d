/** Writes seen.bin for a model: hash prefixes of its training images' file bytes (src/model/seen.ts reads it). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSeen, hashPrefix, SEEN_PREFIX_BYTES } from '../src/model/seen.ts';

/** seen.bin's bytes for these image files (order and repeats do not matter). */
export async function seenHashes(paths: string[]): Promise<Uint8Array> {
  const prefixes: bigint[] = [];
  for (const path of paths) prefixes.push(await hashPrefix(new Uint8Array(readFileSync(path))));
  return encodeSeen(prefixes);
}

/** Writes seen.bin for these image files to `out`; returns how many distinct files it holds. */
export async function writeSeenFile(paths: string[], out: string): Promise<number> {
  const bytes = await seenHashes(paths);
  writeFileSync(out, bytes);
  return bytes.length / SEEN_PREFIX_BYTES;
}

/**
 * The training part of a recorded split (split.json) as absolute paths. Entries name files relative to the data
 * root the split was made from; each is looked up under `roots` in order (first match wins), so one command serves
 * BUSI-only splits ("benign/x.png" under data/busi) and multi-site ones ("busi/…" under data).
 */
export function trainingFiles(split: { train?: { file: string }[] }, roots: string[], exists: (p: string) => boolean): string[] {
  if (!Array.isArray(split.train) || split.train.length === 0) throw new Error('split.json has no "train" entries');
  const missing: string[] = [];
  const paths = split.train.map(({ file }) => {
    const found = (file.startsWith('/') ? [file] : roots.map((r) => join(r, file))).find(exists);
    if (!found) missing.push(file);
    return found ?? '';
  });
  if (missing.length) {
    throw new Error(`${missing.length} training files not found under ${roots.join(', ')} (first: ${missing[0]})`);
  }
  return paths;
}
