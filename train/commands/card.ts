/**
 * `npx tsx train/cli.ts card --model DIR [--model DIR …]`: writes each folder's card.md again from its card.json,
 * nothing else (no scoring, weights and numbers untouched): for cards rendered by older card code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderCard } from '../render-card.ts';

/** Runs the card command. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string', multiple: true } } });
  if (!values.model?.length) throw new Error('--model DIR is required (repeat it for several folders)');
  for (const dir of values.model) {
    writeFileSync(join(dir, 'card.md'), renderCard(JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'))));
    process.stdout.write(`wrote ${join(dir, 'card.md')}\n`);
  }
}
