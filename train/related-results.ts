import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Summaries of other recorded runs (train/results/<name>/card.json: BreastMNIST, BUSI with normals) for the
 * shipped card, read from the files those runs wrote, never typed in.
 */
export function relatedResults(dir: string, out: string): { results: Record<string, unknown>; lines: string[] } | undefined {
  if (!existsSync(dir)) return undefined;
  const results: Record<string, unknown> = {};
  const lines: string[] = [];
  const f = (v: number) => v.toFixed(3);
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'card.json');
    if (!existsSync(file) || resolve(dir, name) === out) continue;
    const other = JSON.parse(readFileSync(file, 'utf8'));
    const summary = Object.fromEntries(
      Object.entries(other.metrics as Record<string, { auc: number; aucCi95: [number, number]; n: number; accuracyAtHalf?: number }>).map(([set, m]) => [
        set,
        { n: m.n, auc: m.auc, aucCi95: m.aucCi95, ...(m.accuracyAtHalf !== undefined ? { accuracyAtHalf: m.accuracyAtHalf } : {}) },
      ]),
    );
    results[name] = { command: other.training.command, createdAt: other.createdAt, metrics: summary };
    lines.push(
      `${name} (\`${other.training.command}\`, a separate model): ` +
        Object.entries(summary).map(([set, m]) => `${set} AUC ${f(m.auc)} (${f(m.aucCi95[0])}–${f(m.aucCi95[1])})${m.accuracyAtHalf !== undefined ? `, accuracy at 0.5 ${f(m.accuracyAtHalf)}` : ''}`).join('; '),
    );
  }
  return lines.length ? { results, lines } : undefined;
}
