/** The adapted model's card: the source card kept as it was, plus an `adaptation` record of what changed. */
import type { LayerShift } from './batch-norm.ts';

/** What the card's `adaptation` field records. */
export interface AdaptationRecord {
  method: string;
  /** Unlabelled images whose statistics replaced the source's (labelled ones count too: labels are not used here). */
  images: number;
  /** Files under the folder the decoder refused (not images, or formats the server does not accept). */
  skippedFiles: number;
  sourceModel: { name: string; version: string };
  at: string;
  momentum: number;
  batchNormLayers: number;
  /** How far the statistics moved (in source standard deviations; variance as a ratio). */
  shift: { meanShiftMedian: number; meanShiftMax: number; varianceRatioMedian: number };
  backend: string;
  seconds: number;
  command: string;
  note: string;
  labels?: unknown;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Summary of the per-layer shifts for the card (per-layer detail stays on stdout). */
export function summariseShifts(shifts: LayerShift[]): AdaptationRecord['shift'] {
  return {
    meanShiftMedian: median(shifts.map((s) => s.meanShift)),
    meanShiftMax: Math.max(...shifts.map((s) => s.meanShift)),
    varianceRatioMedian: median(shifts.map((s) => s.varianceRatio)),
  };
}

/** The source card with `adaptation` set (a card adapted twice records the latest step, its source the previous). */
export function adaptedCard(source: Record<string, unknown>, record: AdaptationRecord): Record<string, unknown> {
  return { ...source, adaptation: record };
}
