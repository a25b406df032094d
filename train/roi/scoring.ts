/** Box-mode scores through the serving function imageToModelInput (sniff, decode, planRoi, crop, resize) → Classifier. */
import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { imageToModelInput } from '../../src/image/input.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import type { Roi } from '../../src/image/roi.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import type { Classifier } from '../../src/model/classifier.ts';

/**
 * Probabilities for one image file: whole-image mode first, then box mode for each of `boxes` with `margin`
 * (the header is sniffed once; each box is decoded, planned, cropped and preprocessed exactly as POST /predict does).
 */
export async function scoreImageBoxes(classifier: Classifier, decoders: Decoders, path: string, boxes: Roi[], margin: number): Promise<number[]> {
  const spec = classifier.inputSpec;
  const bytes = readFileSync(path);
  const header = sniffImage(bytes);
  const inputs: Float32Array[] = [];
  for (const roi of [undefined, ...boxes]) {
    inputs.push((await imageToModelInput(bytes, decoders, spec, DEFAULT_IMAGE_LIMITS, { header, roi, roiMargin: margin })).input);
  }
  return classifier.classify(inputs);
}
