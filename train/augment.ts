import * as tf from '@tensorflow/tfjs-node';

/**
 * Augmentation meant to generalise across scanners and hospitals rather than fit BUSI: random resized crops
 * and flips (framing), gain, contrast and gamma (machine settings), multiplicative speckle (ultrasound noise),
 * and bright marks like calipers and burned-in text on both classes (so they carry no label information).
 * `random` drives every choice, so a seeded run is reproducible. Input and output are [B, H, W, C] in [0, 1].
 */
export function augmentBatch(batch: tf.Tensor4D, random: () => number, minCrop = 0.7): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = batch.shape;
    const boxes: number[][] = [];
    for (let i = 0; i < b; i++) {
      const scale = minCrop + (1 - minCrop) * random();
      const aspect = Math.exp((random() - 0.5) * 0.4);
      const bh = Math.min(1, Math.sqrt(scale / aspect));
      const bw = Math.min(1, Math.sqrt(scale * aspect));
      const y1 = random() * (1 - bh);
      const x1 = random() * (1 - bw);
      // A box given right-to-left is sampled mirrored: that is the horizontal flip.
      boxes.push(random() < 0.5 ? [y1, x1, y1 + bh, x1 + bw] : [y1, x1 + bw, y1 + bh, x1]);
    }
    let x: tf.Tensor = tf.image.cropAndResize(batch, boxes, Array.from({ length: b }, (_, i) => i), [h, w]);
    const perImage = (f: () => number) => tf.tensor4d(Array.from({ length: b }, f), [b, 1, 1, 1]);
    const gain = perImage(() => 0.75 + 0.5 * random());
    const contrast = perImage(() => 0.75 + 0.5 * random());
    const gamma = perImage(() => Math.exp((random() - 0.5) * 0.6));
    const mean = x.mean([1, 2, 3], true);
    x = x.sub(mean).mul(contrast).add(mean).mul(gain).clipByValue(0, 1);
    x = x.add(1e-6).pow(gamma);
    const speckle = perImage(() => 0.2 * random());
    x = x.mul(tf.randomNormal([b, h, w, c], 0, 1, 'float32', Math.floor(random() * 1e9)).mul(speckle).add(1));
    x = tf.maximum(x, marks(b, h, w, c, random)).clipByValue(0, 1);
    return x as tf.Tensor4D;
  });
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
