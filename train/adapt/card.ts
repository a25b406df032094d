/** The adapted model's card: the source card kept as it was, plus an `adaptation` record of what changed. */
import type { Calibration } from '../../src/model/calibration.ts';
import type { LayerShift } from './batch-norm.ts';
import { median } from './moments.ts';
import type { LocalLabelReport } from './labels.ts';

/** What the card's `adaptation` field records. */
export interface AdaptationRecord {
  method: string;
  /** How the statistics were measured (batch-norm.ts AdaptMethod, AdaptLayers); batches matter for `one-pass`. */
  statistics: { method: string; passes?: number; batchSize: number; layers: string };
  /** Unlabelled images whose statistics replaced the source's (labelled ones count too: labels are not used here). */
  images: number;
  /** Files under the folder the decoder refused (not images, or formats the server does not accept). */
  skippedFiles: number;
  sourceModel: { name: string; version: string };
  at: string;
  momentum: number;
  batchNormLayers: number;
  /** How far the statistics moved (in source standard deviations; variance as a ratio); absent with `--layers none`. */
  shift?: { meanShiftMedian: number; meanShiftMax: number; varianceRatioMedian: number };
  backend: string;
  seconds: number;
  command: string;
  note: string;
  /** Present when the source had an input gate (gate.json): why the adapted folder has none. */
  inputGate?: string;
  labels?: LocalLabelReport;
}

/** Summary of the per-layer shifts for the card (per-layer detail stays on stdout). */
export function summariseShifts(shifts: LayerShift[]): AdaptationRecord['shift'] {
  return {
    meanShiftMedian: median(shifts.map((s) => s.meanShift)),
    meanShiftMax: Math.max(...shifts.map((s) => s.meanShift)),
    varianceRatioMedian: median(shifts.map((s) => s.varianceRatio)),
  };
}

/**
 * The source card with `adaptation` set (a card adapted twice records the latest step, its source the previous).
 * With local labels, the threshold and calibration are replaced by the ones fitted on them.
 */
export function adaptedCard(
  source: Record<string, unknown>,
  record: AdaptationRecord,
  local?: { threshold: number; calibration: Calibration; report: LocalLabelReport },
): Record<string, unknown> {
  if (!local) return { ...source, adaptation: record };
  const { report } = local;
  return {
    ...source,
    threshold: {
      value: local.threshold,
      rationale: `set on this site's ${report.images} labelled images after adaptation (${report.malignant} malignant, ${report.benign} benign): ` +
        `the highest threshold on the raw score with sensitivity ≥ ${report.targetSensitivity} there, halfway between two scores` +
        (report.warning ? `. Warning: ${report.warning}` : ''),
      sourceModelValue: (source.threshold as { value: number }).value,
    },
    calibration: local.calibration,
    adaptation: { ...record, labels: report, note: 'threshold and calibration were set on the local labels (adaptation.labels); the other metrics in this card were measured on the source model' },
  };
}
