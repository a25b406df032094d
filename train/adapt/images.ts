/**
 * A hospital's local images: every file under a folder (recursively) that the server would accept, turned
 * into model inputs by the serving path. Files are read, never copied, and their names are never printed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Decoders } from '../../src/image/codecs.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { InputSpec } from '../../src/image/raster.ts';

/**
 * Every regular file under `root` (hidden files and folders, and folders named in `exclude`, skipped), sorted so
 * runs are reproducible.
 */
export function listFiles(root: string, exclude: string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        if (!exclude.includes(name)) walk(path);
      }
      else if (stat.isFile()) out.push(path);
    }
  };
  walk(root);
  return out;
}

/** Model inputs for the files the serving decoder accepts; the others are counted, not named. */
export async function loadLocalInputs(paths: string[], decoders: Decoders, spec: InputSpec): Promise<{ inputs: Float32Array[]; used: string[]; skipped: number }> {
  const inputs: Float32Array[] = [];
  const used: string[] = [];
  let skipped = 0;
  for (const path of paths) {
    try {
      // The serving bytes → input path, one file at a time so one bad file is a skip.
      inputs.push((await imageToModelInput(readFileSync(path), decoders, spec, DEFAULT_IMAGE_LIMITS)).input);
      used.push(path);
    } catch {
      skipped++;
    }
  }
  return { inputs, used, skipped };
}
