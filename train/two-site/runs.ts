import * as tf from '@tensorflow/tfjs-node';
import { buildEdge } from '../architectures.ts';
import type { Views } from '../data/views.ts';
import { type EpochLog, fit, predictScores } from '../fit.ts';
import { buildFeatureCache, type FeatureCache } from '../pretrained/feature-cache.ts';
import { buildStaged, type StagedOptions } from '../pretrained/staged.ts';
import { BOX_VIEWS, WHOLE_VIEWS } from './recipe.ts';

/** One training run: which images train, which choose the epoch, and (leave-one-site-out) which are scored. */
export interface RunPlan {
  name: string;
  train: number[];
  val: number[];
  /** The left-out site's images, scored whole and by their box after training. */
  heldOut?: number[];
}

/** What a run leaves: the trained model (the flat, servable graph), its history and the held-out scores. */
export interface RunResult {
  model: tf.LayersModel;
  history: EpochLog[];
  heldOut?: { whole: number[]; box: number[]; boxIndex: number[] };
}

/** Training settings shared by both architectures. */
export interface TrainSettings {
  epochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Share of epochs' images shown as another view (augmented copy or lesion box) instead of the plain image. */
  altViewRate: number;
  /** Weight of the auxiliary lesion-mask loss on the `cam_features` grid (0 = off; needs `Views.masks`). */
  lesionWeight?: number;
}

/** Trains models for a list of plans; the architecture decides how views become model inputs. */
export interface Trainer {
  readonly description: string;
  run(plan: RunPlan, labels: number[]): Promise<RunResult>;
  dispose(): void;
}

// Validation = the plain whole images plus their expert boxes: one model serves both modes, so the epoch is chosen on both.
function validation(plan: RunPlan, whole: Float32Array[], box: (Float32Array | undefined)[], labels: number[]) {
  const boxed = plan.val.filter((i) => box[i]);
  return { inputs: [...plan.val.map((i) => whole[i]), ...boxed.map((i) => box[i]!)], labels: [...plan.val.map((i) => labels[i]), ...boxed.map((i) => labels[i])] };
}

function scoreHeldOut(model: tf.LayersModel, plan: RunPlan, whole: Float32Array[], box: (Float32Array | undefined)[]) {
  if (!plan.heldOut) return undefined;
  const shape = model.inputs[0].shape.slice(1) as [number, number, number];
  const boxIndex = plan.heldOut.filter((i) => box[i]);
  return { whole: predictScores(model, plan.heldOut.map((i) => whole[i]), shape), box: predictScores(model, boxIndex.map((i) => box[i]!), shape), boxIndex };
}

/**
 * The pretrained candidate: a frozen MobileNetV2 stem whose outputs for every view are cached once, and the upper
 * blocks + head fine-tuned on them. Held-out sites are scored on tfjs-node from the cache (the saved model is scored
 * again through the serving path).
 */
export async function stagedTrainer(options: StagedOptions, views: Views[], augs: number, random: () => number, settings: TrainSettings, log: (m: string) => void): Promise<Trainer> {
  const { stem, upper: shapes } = await buildStaged(options);
  const lesion = (settings.lesionWeight ?? 0) > 0;
  const cache: FeatureCache = buildFeatureCache(stem, views, {
    augs,
    random,
    whole: WHOLE_VIEWS,
    box: BOX_VIEWS,
    lesionGrid: lesion ? (shapes.getLayer('cam_features').outputShape as number[]).slice(1, 3) as [number, number] : undefined,
    log,
  });
  stem.dispose();
  const targets = cache.targets;
  return {
    description: `MobileNetV2 (ImageNet) to ${options.cut} at ${options.size} px, frozen to ${options.stemCut}, ${augs} cached augmented views per image` +
      (lesion ? `, auxiliary lesion-mask loss (weight ${settings.lesionWeight}) on the cam_features grid in training` : ''),
    async run(plan, labels) {
      const { upper, full } = await buildStaged({ ...options, seed: settings.seed });
      const history = await fit(
        upper,
        {
          inputs: plan.train.map((i) => cache.whole[i]),
          labels: plan.train.map((i) => labels[i]),
          altViews: plan.train.map((i) => cache.alt[i]),
          grid: targets && { inputs: plan.train.map((i) => targets.whole[i]), alt: plan.train.map((i) => targets.alt[i]) },
        },
        validation(plan, cache.whole, cache.box, labels),
        { ...settings, augment: false, minCrop: 1 },
      );
      return { model: full, history, heldOut: scoreHeldOut(upper, plan, cache.whole, cache.box) };
    },
    dispose() {},
  };
}

/** The edge CNN from scratch (today's architecture), augmented on the fly, lesion boxes as extra views. */
export function edgeTrainer(views: Views[], settings: TrainSettings): Trainer {
  const whole = views.map((v) => v.whole);
  const box = views.map((v) => v.crops[0]);
  return {
    description: 'edge CNN from scratch (125k parameters, 128 px gray), augmentation on the fly',
    async run(plan, labels) {
      const model = buildEdge(settings.seed);
      const history = await fit(
        model,
        { inputs: plan.train.map((i) => whole[i]), labels: plan.train.map((i) => labels[i]), altViews: plan.train.map((i) => views[i].crops) },
        validation(plan, whole, box, labels),
        { ...settings, augment: true, ...WHOLE_VIEWS, altViewRate: settings.altViewRate * 0.35 },
      );
      return { model, history, heldOut: scoreHeldOut(model, plan, whole, box) };
    },
    dispose() {},
  };
}
