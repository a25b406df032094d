import { writeFileSync } from 'node:fs';

/** Writes `value` as indented JSON with a final newline (results files are read by people and diffed). */
export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}
