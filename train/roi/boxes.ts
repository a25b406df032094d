/** Reference lesion boxes of the three data sets, in pixels of the stored images (as a user would draw them). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Decoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { Raster } from '../../src/image/raster.ts';
import type { Roi } from '../../src/image/roi.ts';
import { readCsv } from '../data/csv.ts';

/** One labelled image with its lesion box. */
export interface BoxedSample {
  /** Absolute path of the image. */
  path: string;
  /** Path relative to the data set's folder (as split files name it). */
  file: string;
  label: 0 | 1;
  box: Roi;
}

/** Parses a `bbox_xywh` cell such as "[74,20,84,64]". */
export function parseBboxCell(cell: string): Roi {
  const values = JSON.parse(cell);
  if (!Array.isArray(values) || values.length !== 4 || !values.every(Number.isInteger)) {
    throw new Error(`bbox_xywh must be [x,y,w,h] integers; got ${cell}`);
  }
  const [x, y, width, height] = values;
  return { x, y, width, height };
}

/** The smallest box holding every pixel of the rasters that is more than half bright (masks), or null if none is. */
export function maskBox(masks: Raster[]): Roi | null {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (const { width, height, channels, data } of masks) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * channels] <= 127) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** A data set's boxed images that `keep` accepts, and how many lesion images it turned away. */
export interface BoxedSet {
  samples: BoxedSample[];
  excluded: number;
}

const label = (name: string): 0 | 1 => (name === 'malignant' ? 1 : 0);

/** The benign and malignant rows of a CSV, split by `keep(file)`. */
function lesionRows(path: string, keep: (file: string) => boolean) {
  const rows = readCsv(path).filter((r) => r.label === 'benign' || r.label === 'malignant');
  const kept = rows.filter((r) => keep(r.file));
  return { kept, excluded: rows.length - kept.length };
}

function fromBboxColumn(root: string, csv: string, keep: (file: string) => boolean): BoxedSet {
  const { kept, excluded } = lesionRows(join(root, csv), keep);
  const samples = kept.map((r) => ({ path: join(root, r.file), file: r.file, label: label(r.label), box: parseBboxCell(r.bbox_xywh) }));
  return { samples, excluded };
}

/** BUS-BRA: manifest.csv `bbox_xywh` (stored pixels). */
export function readBusBraBoxes(root: string, keep: (file: string) => boolean = () => true): BoxedSet {
  return fromBboxColumn(root, 'manifest.csv', keep);
}

/** BrEaST-Lesions_USG: labels.csv `bbox_xywh`. */
export function readBreastLesionBoxes(root: string, keep: (file: string) => boolean = () => true): BoxedSet {
  return fromBboxColumn(root, 'labels.csv', keep);
}

/**
 * BUSI: the union box of the mask files listed in manifest.csv `masks` (images whose masks are empty are left
 * out). Masks are decoded only for the images `keep` accepts.
 */
export async function readBusiBoxes(root: string, decoders: Decoders, keep: (file: string) => boolean = () => true): Promise<BoxedSet> {
  const { kept, excluded } = lesionRows(join(root, 'manifest.csv'), keep);
  const samples: BoxedSet['samples'] = [];
  for (const r of kept.filter((r) => r.masks)) {
    const masks = [];
    for (const m of r.masks.split(';')) masks.push(await decodeImage(readFileSync(join(root, m)), decoders, { limits: DEFAULT_IMAGE_LIMITS }));
    const box = maskBox(masks);
    if (box) samples.push({ path: join(root, r.file), file: r.file, label: label(r.label), box });
  }
  return { samples, excluded };
}
