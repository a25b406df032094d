/** What every train/commands/* file shares: where the project and the data are, and flag parsing. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The project root (the folder holding package.json). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The data folder: `DATA_DIR`, or ../shared/data beside the project. */
export const DEFAULT_DATA = process.env.DATA_DIR ?? resolve(ROOT, '../shared/data');

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags (`--data DIR` is common to all); unknown flags are an error, not ignored. */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  return parseArgs({ args: argv, strict: true, options: { data: { type: 'string', default: DEFAULT_DATA }, ...options } }).values;
}
