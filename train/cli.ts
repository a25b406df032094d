/**
 * Training and evaluation CLI: `tsx train/cli.ts <command> [flags]`, one file per command in train/commands/
 * (each file's header lists its flags). `npm run train`, `npm run evaluate` and `npm run adapt` call it.
 */
import { SetupError } from './tfjs-node.ts';

const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  train: () => import('./commands/train.ts'),
  'train-single': () => import('./commands/train-single.ts'),
  compare: () => import('./commands/compare.ts'),
  report: () => import('./commands/report.ts'),
  card: () => import('./commands/card.ts'),
  'crop-choice': () => import('./commands/crop-choice.ts'),
  evaluate: () => import('./commands/evaluate.ts'),
  'cam-check': () => import('./commands/cam-check.ts'),
  adapt: () => import('./commands/adapt.ts'),
  'fit-gate': () => import('./commands/fit-gate.ts'),
};

const [name, ...argv] = process.argv.slice(2);
const load = COMMANDS[name ?? ''];
if (!load) {
  process.stderr.write(`usage: tsx train/cli.ts ${Object.keys(COMMANDS).join('|')} [flags] (see train/commands/<command>.ts)\n`);
  process.exit(2);
}
try {
  await (await load()).run(argv);
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
