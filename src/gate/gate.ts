import { fullDistance, lowRankDistance } from './distance.ts';
import { type GateJson, parseGateJson } from './format.ts';

/** What every answer says about its input: how much it looks like the B-mode breast ultrasound the model knows. */
export interface InputCheck {
  /** 0–1; below 0.5 the image is flagged (the threshold was set on validation ultrasound). */
  ultrasoundLike: number;
  flagged: boolean;
}

/** The two pieces of evidence, as z-scores against the training images (larger = less like them). */
export interface GateEvidence {
  features: number;
  image: number;
}

/**
 * The input gate: scores pooled CNN features and image statistics against the training images' Gaussians
 * (see GateJson) and flags inputs that look like neither. Pure arithmetic on a few hundred numbers per image.
 */
export class Gate {
  private constructor(readonly json: GateJson) {}

  /** Builds a gate from a parsed gate.json (throws on a malformed file). */
  static fromJson(json: unknown): Gate {
    return new Gate(parseGateJson(json));
  }

  /** Length of the pooled feature vector this gate expects. */
  get featureDim(): number {
    return this.json.model.featureDim;
  }

  /** Both z-scores for one image. */
  evidence(features: ArrayLike<number>, stats: ArrayLike<number>): GateEvidence {
    const { features: f, image } = this.json;
    const z = (d2: number, s: { mean: number; std: number }) => (Math.log(Math.max(d2, 1e-12)) - s.mean) / s.std;
    return {
      features: z(lowRankDistance(features, f), f.scale),
      image: z(fullDistance(stats, image.mean, image.precision), image.scale),
    };
  }

  /** The answer's inputCheck for one image. */
  check(features: ArrayLike<number>, stats: ArrayLike<number>): InputCheck {
    const e = this.evidence(features, stats);
    const { zThreshold, zScale } = this.json.combine;
    const z = Math.max(e.features, e.image);
    const ultrasoundLike = 1 / (1 + Math.exp((z - zThreshold) / zScale));
    return { ultrasoundLike: Math.round(ultrasoundLike * 1e4) / 1e4, flagged: z > zThreshold };
  }
}
