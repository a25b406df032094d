/** A one-line live progress bar on stderr: epoch, batch, loss, validation AUC and time left. */
export class ProgressBar {
  private readonly started = Date.now();
  private readonly interactive = process.stderr.isTTY === true;

  constructor(private readonly epochs: number, private readonly batches: number) {}

  /** Redraws the bar after a batch (or writes a plain line per epoch when stderr is not a terminal). */
  update(epoch: number, batch: number, loss: number, valAuc: number | undefined): void {
    const done = epoch * this.batches + batch + 1;
    const total = this.epochs * this.batches;
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = (elapsed / done) * (total - done);
    const width = 24;
    const filled = Math.round((width * (batch + 1)) / this.batches);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const line = `epoch ${epoch + 1}/${this.epochs} [${bar}] batch ${batch + 1}/${this.batches} ` +
      `loss ${loss.toFixed(4)} val AUC ${valAuc === undefined ? '  -  ' : valAuc.toFixed(4)} ETA ${formatSeconds(eta)} (max)`;
    if (this.interactive) process.stderr.write(`\r${line}\x1b[K`);
    else if (batch + 1 === this.batches) process.stderr.write(`${line}\n`);
  }

  /** Ends the bar's line with a summary of the epoch. */
  epochDone(summary: string): void {
    process.stderr.write(this.interactive ? `  ${summary}\n` : `  ${summary}\n`);
  }
}

function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
