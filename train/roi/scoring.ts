/** Box-mode scores through the serving functions: decodeImage → planRoi → cropScaled → toModelInput → Classifier. */
import { readFileSync } from 'node:fs';
import type { Decoders } from '../../src/image/codecs.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/limits.ts';
import { toModelInput } from '../../src/image/preprocess.ts';
import type { Roi } from '../../src/image/roi.ts';
import { cropScaled, planRoi } from '../../src/image/roi-plan.ts';
import type { Classifier } from '../../src/model/classifier.ts';

/**
 * Probabilities for one image file: whole-image mode first, then box mode for each of `boxes` with `margin`
 * (the image is decoded once; each box is planned, cropped and preprocessed exactly as POST /predict does).
 */
export function scoreImageBoxes(classifier: Classifier, decoders: Decoders, path: string, boxes: Roi[], margin: number): number[] {
  const spec = classifier.inputSpec;
  const raster = decodeImage(readFileSync(path), decoders, { limits: DEFAULT_IMAGE_LIMITS });
  const inputs = [toModelInput(raster, spec)];
  for (const box of boxes) {
    const plan = planRoi(box, raster.width, raster.height, spec, margin);
    inputs.push(toModelInput(cropScaled(raster, plan.box, raster.width, raster.height), spec));
  }
  return classifier.classify(inputs);
}
