import { join } from 'node:path';

/** One labelled image of a data set: where it is, its label (1 = malignant) and its near-duplicate group. */
export interface Sample {
  /** Absolute path of the image file (or a synthetic id for arrays read from npz). */
  path: string;
  /** 1 = malignant, 0 = benign (or normal, when normals are used as negatives). */
  label: 0 | 1;
  /** Original class name (benign, malignant, normal). */
  className: string;
  /** Images that are the same scan or near copies share a group; splits never separate a group. */
  group: string;
  /** Lesion mask files (BUSI), when the data set has them: an auxiliary training target, never a model input. */
  masks?: string[];
  /** Which training site the image comes from (busi, busbra, breast), when a data set says. */
  site?: string;
  /** Scanner model (BUS-BRA), for per-scanner breakdowns. */
  device?: string;
  /** BI-RADS category as the data set gives it, for breakdowns. */
  birads?: string;
  /** Expert lesion box [x, y, width, height] in image pixels, where the data set gives one. */
  box?: [number, number, number, number];
}

/** The labels of `samples`, in order. */
export function labelsOf(samples: Sample[]): number[] {
  return samples.map((s) => s.label);
}

/** A manifest row's file (under `root`), label (1 = malignant) and class name: the part every data set reads alike. */
export function labelledFile(root: string, row: Record<string, string>): Pick<Sample, 'path' | 'label' | 'className'> {
  return { path: join(root, row.file), label: row.label === 'malignant' ? 1 : 0, className: row.label };
}

/** A benign or malignant row (not `normal`, not unlabelled). */
export const isLesionRow = (row: Record<string, string>): boolean => row.label === 'benign' || row.label === 'malignant';
