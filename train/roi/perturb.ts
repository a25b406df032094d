import type { Roi } from '../../src/image/roi.ts';

/** How the robustness check changes a reference box (the three perturbations, plus none). */
export type BoxPerturbation = 'given' | 'enlarged30' | 'shrunk15' | 'shifted10';

/** The perturbations in report order. */
export const BOX_PERTURBATIONS: readonly BoxPerturbation[] = ['given', 'enlarged30', 'shrunk15', 'shifted10'];

/** What each perturbation does, for reports. */
export const PERTURBATION_LABELS: Record<BoxPerturbation, string> = {
  given: 'box as given by the data set',
  enlarged30: 'width and height × 1.30 about the centre',
  shrunk15: 'width and height × 0.85 about the centre',
  shifted10: 'moved by 10 % of its width and height, in a random direction (seeded, per image)',
};

/** `box` scaled by `factor` about its centre, in whole pixels (never below 1 px). */
export function scaleBox(box: Roi, factor: number): Roi {
  const width = Math.max(1, Math.round(box.width * factor)), height = Math.max(1, Math.round(box.height * factor));
  return {
    x: Math.round(box.x + (box.width - width) / 2),
    y: Math.round(box.y + (box.height - height) / 2),
    width,
    height,
  };
}

/** `box` moved by `fraction` of its size along `angle` (radians): dx = fraction·width·cos, dy = fraction·height·sin. */
export function shiftBox(box: Roi, fraction: number, angle: number): Roi {
  return {
    x: Math.round(box.x + fraction * box.width * Math.cos(angle)),
    y: Math.round(box.y + fraction * box.height * Math.sin(angle)),
    width: box.width,
    height: box.height,
  };
}

/** Applies one perturbation; `random` (in [0, 1)) picks the shift direction. */
export function perturbBox(box: Roi, kind: BoxPerturbation, random: () => number): Roi {
  switch (kind) {
    case 'given':
      return box;
    case 'enlarged30':
      return scaleBox(box, 1.3);
    case 'shrunk15':
      return scaleBox(box, 0.85);
    case 'shifted10':
      return shiftBox(box, 0.1, 2 * Math.PI * random());
  }
}
