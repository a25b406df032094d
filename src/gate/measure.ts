import type { Decoders } from '../image/codecs.ts';
import { imageToModelInput } from '../image/input.ts';
import type { ImageLimits } from '../image/limits.ts';
import type { Roi } from '../image/roi.ts';
import type { Classifier } from '../model/classifier.ts';
import { imageStats } from './stats.ts';

/** What the gate reads from one image, as the serving path computes it. */
export interface GateMeasurement {
  probability: number;
  features: Float32Array;
  stats: Float64Array;
}

/**
 * Decodes, preprocesses and classifies one image exactly as Predictor does (same decode options, same
 * preprocessing, same forward pass) and returns the gate's inputs: for fitting the gate and for measuring it.
 * With `roi`, what box mode reads: the crop of the box.
 */
export async function measureImage(bytes: Uint8Array, decoders: Decoders, classifier: Classifier, limits: ImageLimits, roi?: Roi): Promise<GateMeasurement> {
  const spec = classifier.inputSpec;
  const { raster, input } = await imageToModelInput(bytes, decoders, spec, limits, { roi });
  const { probabilities, features } = classifier.classifyWithFeatures([input]);
  if (!features) throw new Error('The model has no pooled layer named "gap"; the gate needs one');
  return { probability: probabilities[0], features: features[0], stats: imageStats(raster, input, spec) };
}
