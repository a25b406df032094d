/** Captures console output in-process, for the privacy tests. */

/** Runs `fn` with every console method captured; returns what was printed. */
export async function captureConsole(fn: () => Promise<void>): Promise<string> {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
  const saved = methods.map((m) => console[m]);
  const lines: string[] = [];
  for (const m of methods) {
    console[m] = (...args: unknown[]) =>
      lines.push(
        args.map((a) => (typeof a === 'string' ? a : Deno.inspect(a, { depth: 10, iterableLimit: 1e6 })))
          .join(' '),
      );
  }
  try {
    await fn();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i] as never));
  }
  return lines.join('\n');
}
