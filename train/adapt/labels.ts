/**
 * A site's few labelled images: where they are (class folders or a CSV), and what they set in the adapted card:
 * the operating threshold for a target sensitivity and a Platt calibration, each with bootstrap intervals.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Calibration } from '../../src/model/calibration.ts';
import { eceBeforeAfter, fitPlatt } from '../calibration.ts';
import { readCsv } from '../data/csv.ts';
import { atThreshold, bootstrapCi, midpointThreshold, rocAuc } from '../eval/metrics.ts';
import { listFiles } from './images.ts';

/** One labelled local image (1 = malignant). */
export interface LocalLabel {
  path: string;
  label: 0 | 1;
}

/**
 * The rule behind the small-set warning: with fewer than this many malignant or benign images, a sensitivity or
 * specificity moves by more than 3 points per image and its 95% interval is wider than ±15 points.
 */
export const MIN_PER_CLASS = 30;

const LABEL_WORDS: Record<string, 0 | 1> = { malignant: 1, '1': 1, benign: 0, '0': 0 };

/**
 * Labels from `benign/` and `malignant/` sub-folders of `folder` (source `folders`), or from a CSV with columns
 * `file,label` (file relative to `folder`; label benign|malignant|0|1).
 */
export function readLocalLabels(folder: string, source: string): LocalLabel[] {
  if (source === 'folders') {
    const out: LocalLabel[] = [];
    for (const [name, label] of [['benign', 0], ['malignant', 1]] as const) {
      const dir = join(folder, name);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--labels folders needs ${name}/ under --folder`);
      out.push(...listFiles(dir).map((path) => ({ path, label })));
    }
    return out;
  }
  return readCsv(source).map((row, i) => {
    const label = LABEL_WORDS[(row.label ?? '').trim().toLowerCase()];
    if (!row.file || label === undefined) throw new Error(`${source} row ${i + 2}: needs file and label (benign|malignant|0|1)`);
    return { path: isAbsolute(row.file) ? row.file : join(folder, row.file), label };
  });
}

/** What the labelled path records in the card (`adaptation.labels`) besides the threshold and calibration fields. */
export interface LocalLabelReport {
  images: number;
  malignant: number;
  benign: number;
  source: string;
  targetSensitivity: number;
  threshold: { value: number; ci95: [number, number] };
  /** At the chosen threshold, on the same images that chose it (optimistic), with bootstrap 95% intervals. */
  sensitivity: number;
  sensitivityCi95: [number, number];
  specificity: number;
  specificityCi95: [number, number];
  auc: number;
  aucCi95: [number, number];
  calibration: { slopeCi95: [number, number]; interceptCi95: [number, number]; ece: { raw: number; calibrated: number } };
  warning?: string;
}

/** Threshold, calibration and their intervals from a site's labelled scores (bootstrap: cases resampled, seeded). */
export function fitLocal(
  scores: number[],
  labels: number[],
  { target = 0.9, source = 'labels', seed = 1, resamples = 1000 } = {},
): { threshold: number; calibration: Calibration; report: LocalLabelReport } {
  const malignant = labels.filter((l) => l === 1).length;
  const benign = labels.length - malignant;
  if (malignant === 0 || benign === 0) throw new Error('labelled images need both benign and malignant cases');
  const threshold = midpointThreshold(scores, labels, target);
  if (!(threshold > 0 && threshold < 1)) throw new Error(`the local threshold ${threshold} is not inside (0, 1)`);
  const calibration = fitPlatt(scores, labels, { fittedOn: `local labelled images of this site (${labels.length})` });
  const options = { resamples, seed };
  const refit = (pick: 'slope' | 'intercept') => (s: number[], l: number[]) => {
    try {
      return fitPlatt(s, l)[pick];
    } catch {
      return NaN; // a resample the scores do not rank: left out of the interval
    }
  };
  const at = atThreshold(scores, labels, threshold);
  const smallSet = malignant < MIN_PER_CLASS || benign < MIN_PER_CLASS;
  return {
    threshold,
    calibration,
    report: {
      images: labels.length,
      malignant,
      benign,
      source,
      targetSensitivity: target,
      threshold: { value: threshold, ci95: bootstrapCi(scores, labels, (s, l) => midpointThreshold(s, l, target), options) },
      sensitivity: at.sensitivity,
      sensitivityCi95: bootstrapCi(scores, labels, (s, l) => atThreshold(s, l, threshold).sensitivity, options),
      specificity: at.specificity,
      specificityCi95: bootstrapCi(scores, labels, (s, l) => atThreshold(s, l, threshold).specificity, options),
      auc: rocAuc(scores, labels),
      aucCi95: bootstrapCi(scores, labels, rocAuc, options),
      calibration: {
        slopeCi95: bootstrapCi(scores, labels, refit('slope'), options),
        interceptCi95: bootstrapCi(scores, labels, refit('intercept'), options),
        ece: eceBeforeAfter(scores, labels, calibration),
      },
      ...(smallSet
        ? { warning: `only ${malignant} malignant and ${benign} benign labelled images (rule: fewer than ${MIN_PER_CLASS} of either is too few to trust): the threshold and calibration are rough; see the intervals` }
        : {}),
    },
  };
}
