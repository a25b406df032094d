import * as tf from '@tensorflow/tfjs-node';

/** A lesion box [y1, x1, y2, x2] in relative coordinates, or null when there is none. */
export type Box = [number, number, number, number] | null;

/** What augmentation may use besides the images. */
export interface AugmentExtras {
  /** Smallest random crop, as a fraction of the image area (default 0.6). */
  minCrop?: number;
  /** Largest zoom-out, as a side length relative to the image (default 1: none); the border is black. */
  maxZoomOut?: number;
  /** Share of images blurred by a down- and up-sampling (lower-resolution scanners and settings). */
  blurRate?: number;
  /** Lesion masks [B, H, W, 1]: cropped and flipped with their images (an auxiliary target). */
  masks?: tf.Tensor4D;
  /** Each image's lesion box, for lesion-centred crops. */
  boxes?: Box[];
  /** Share of images (with a box) cropped around the lesion instead of a random 60–100% crop. */
  lesionCropRate?: number;
}

/**
 * Augmentation meant to generalise across scanners and hospitals rather than fit BUSI: random resized crops
 * and flips (framing), crops around the lesion at random zoom (other sites store tight crops without the
 * text and calipers around them), gain, contrast and gamma (machine settings), multiplicative speckle
 * (ultrasound noise), and bright marks like calipers and burned-in text on both classes (so they carry no label
 * information). `random` drives every choice, so a seeded run is reproducible. Images are [B, H, W, C] in [0, 1].
 */
export function augmentBatch(batch: tf.Tensor4D, random: () => number, extras: AugmentExtras = {}): { images: tf.Tensor4D; masks?: tf.Tensor4D } {
  return tf.tidy(() => {
    const [b, h, w, c] = batch.shape;
    const boxes: number[][] = [];
    for (let i = 0; i < b; i++) {
      const lesion = extras.boxes?.[i];
      const [y1, x1, bh, bw] = lesion && random() < (extras.lesionCropRate ?? 0) ? lesionCrop(lesion, random) : randomCrop(random, extras.minCrop ?? 0.6, extras.maxZoomOut ?? 1);
      // A box given right-to-left is sampled mirrored: that is the horizontal flip.
      boxes.push(random() < 0.5 ? [y1, x1, y1 + bh, x1 + bw] : [y1, x1 + bw, y1 + bh, x1]);
    }
    const indices = Array.from({ length: b }, (_, i) => i);
    // Image and mask go through one crop, so the mask stays on the lesion.
    const stacked = extras.masks ? tf.concat([batch, extras.masks], 3) : batch;
    const cropped = tf.image.cropAndResize(stacked, boxes, indices, [h, w]);
    let x: tf.Tensor = extras.masks ? cropped.slice([0, 0, 0, 0], [b, h, w, c]) : cropped;
    const masks = extras.masks ? (cropped.slice([0, 0, 0, c], [b, h, w, 1]) as tf.Tensor4D) : undefined;
    const perImage = (f: () => number) => tf.tensor4d(Array.from({ length: b }, f), [b, 1, 1, 1]);
    if ((extras.blurRate ?? 0) > 0) {
      // Down- and up-sampling by 1.5–2.5× on a share of the images: the detail a coarser scanner would lose.
      const factor = 1.5 + random();
      const blurred = tf.image.resizeBilinear(tf.image.resizeBilinear(x as tf.Tensor4D, [Math.round(h / factor), Math.round(w / factor)]), [h, w]);
      const pick = perImage(() => (random() < extras.blurRate! ? 1 : 0));
      x = blurred.mul(pick).add(x.mul(tf.scalar(1).sub(pick)));
    }
    const gain = perImage(() => 0.65 + 0.7 * random());
    const contrast = perImage(() => 0.6 + 0.7 * random());
    const gamma = perImage(() => Math.exp((random() - 0.5) * 0.7));
    const mean = x.mean([1, 2, 3], true);
    x = x.sub(mean).mul(contrast).add(mean).mul(gain).clipByValue(0, 1);
    x = x.add(1e-6).pow(gamma);
    const speckle = perImage(() => 0.2 * random());
    x = x.mul(tf.randomNormal([b, h, w, c], 0, 1, 'float32', Math.floor(random() * 1e9)).mul(speckle).add(1));
    x = tf.maximum(x, marks(b, h, w, c, random)).clipByValue(0, 1);
    return { images: x as tf.Tensor4D, masks };
  });
}

/**
 * A random view: a side length between √minCrop (zoom in) and maxZoomOut (zoom out, beyond the frame, which
 * cropAndResize fills with black like the border of an ultrasound frame), aspect ±20%: [y1, x1, height, width].
 * Scanners and depth settings differ between hospitals, so the apparent lesion size must not carry the label.
 */
function randomCrop(random: () => number, minCrop: number, maxZoomOut: number): [number, number, number, number] {
  const side = Math.exp(Math.log(Math.sqrt(minCrop)) + random() * (Math.log(maxZoomOut) - Math.log(Math.sqrt(minCrop))));
  const aspect = Math.exp((random() - 0.5) * 0.4);
  const bh = side / Math.sqrt(aspect);
  const bw = side * Math.sqrt(aspect);
  // Inside the frame when zooming in; containing it when zooming out.
  const start = (size: number) => (size <= 1 ? random() * (1 - size) : (1 - size) * random());
  return [start(bh), start(bw), bh, bw];
}

/** A crop that holds the whole lesion with a margin of 1.3–3× its size (at least 30% of each side). */
function lesionCrop(box: NonNullable<Box>, random: () => number): [number, number, number, number] {
  const [ly1, lx1, ly2, lx2] = box;
  const zoom = 1.3 + 1.7 * random();
  const bh = Math.min(1, Math.max(0.3, (ly2 - ly1) * zoom * Math.exp((random() - 0.5) * 0.3)));
  const bw = Math.min(1, Math.max(0.3, (lx2 - lx1) * zoom * Math.exp((random() - 0.5) * 0.3)));
  const place = (lo: number, hi: number, size: number, r: number) => {
    // Any start that keeps the lesion inside the crop and the crop inside the image.
    const from = Math.max(0, hi - size);
    const to = Math.min(lo, 1 - size);
    return from <= to ? from + r * (to - from) : Math.min(Math.max(0, (lo + hi - size) / 2), 1 - size);
  };
  return [place(ly1, ly2, bh, random()), place(lx1, lx2, bw, random()), bh, bw];
}

/** Thin bright lines, crosses and blocks at random places, on about half of the images. */
function marks(b: number, h: number, w: number, c: number, random: () => number): tf.Tensor4D {
  const data = new Float32Array(b * h * w * c);
  for (let i = 0; i < b; i++) {
    if (random() < 0.5) continue;
    const count = 1 + Math.floor(random() * 4);
    for (let m = 0; m < count; m++) {
      const value = 0.7 + 0.3 * random();
      const cy = Math.floor(random() * h);
      const cx = Math.floor(random() * w);
      const kind = random();
      const [rh, rw] = kind < 0.4 ? [1, 3 + Math.floor(random() * 6)] : kind < 0.8 ? [3 + Math.floor(random() * 6), 1] : [2 + Math.floor(random() * 3), 6 + Math.floor(random() * 12)];
      for (let y = cy; y < Math.min(h, cy + rh); y++) {
        for (let x = cx; x < Math.min(w, cx + rw); x++) {
          for (let k = 0; k < c; k++) data[((i * h + y) * w + x) * c + k] = value;
        }
      }
    }
  }
  return tf.tensor4d(data, [b, h, w, c]);
}
