/**
 * Writes <model>/seen.bin from the model's split.json train part, so the server can flag training images.
 *   npx tsx train/commands/seen.ts --model DIR [--data DIR] [--root DIR ...]
 * Files in split.json are looked up under each --root, then <data>/busi, then <data> (data: ../shared/data).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { trainingFiles, writeSeenFile } from '../seen-hashes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(ROOT, 'static/model') },
    data: { type: 'string', default: process.env.DATA_DIR ?? resolve(ROOT, '../shared/data') },
    root: { type: 'string', multiple: true, default: [] },
  },
});

const model = resolve(args.model!);
const data = resolve(args.data!);
const split = JSON.parse(readFileSync(join(model, 'split.json'), 'utf8'));
const roots = [...args.root!.map((r) => resolve(r)), join(data, 'busi'), data];
const files = trainingFiles(split, roots, existsSync);
const out = join(model, 'seen.bin');
const count = await writeSeenFile(files, out);
process.stdout.write(`${out}: ${count} distinct training images of ${files.length} split entries (${count * 8} bytes)\n`);
