/** The operating-point decision every answer leads with: does the score reach the card's threshold? */

/** `flagged`: score ≥ threshold (the model would send the lesion for work-up); else `below_threshold`. */
export type Decision = 'flagged' | 'below_threshold';

/** The decision for a value at a threshold on the same scale (score or calibrated score), with a plain sentence. */
export function decide(score: number, threshold: number, what = 'model score'): { decision: Decision; decisionText: string } {
  const s = score.toFixed(2);
  const t = threshold.toFixed(2);
  if (score >= threshold) {
    return {
      decision: 'flagged',
      decisionText: `Flagged for work-up: the ${what} ${s} is at or above the model's operating threshold (${t}).`,
    };
  }
  return {
    decision: 'below_threshold',
    // The external sensitivity is far below 1: "below" must never read as "benign".
    decisionText: `Below the model's operating threshold: ${what} ${s} < ${t}. Not flagged; this does not rule out cancer.`,
  };
}
