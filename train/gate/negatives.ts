/**
 * Non-ultrasound images made from scratch in code (no files): blank frames, noise, gradients, checkerboards,
 * rendered text, drawn shapes and diagrams, colour "photos" (1/f colour fields and drawn landscapes) and gray
 * 1/f "photos", plus Doppler-like colour overlays on real ultrasound. They measure the input gate (tests and
 * scripts/gate-eval.ts); the gate itself is fitted without them.
 */
import type { Raster } from '../../src/image/raster.ts';
import { seededRandom } from '../random.ts';
import { GLYPHS } from './glyphs.ts';

/** The families of synthetic non-ultrasound images. */
export const NEGATIVE_KINDS = ['blank', 'noise', 'gradient', 'checkerboard', 'text', 'shapes', 'photo', 'grayPhoto'] as const;
export type NegativeKind = typeof NEGATIVE_KINDS[number];

/** One synthetic image with what it is. */
export interface Negative {
  kind: NegativeKind;
  name: string;
  raster: Raster;
}

type Rgb = [number, number, number];

/** An RGB canvas with the few drawing operations the generators need. */
class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number, fill: Rgb = [0, 0, 0]) {
    this.data = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, fill);
  }
  set(x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (Math.floor(y) * this.width + Math.floor(x)) * 3;
    this.data[i] = clamp(r);
    this.data[i + 1] = clamp(g);
    this.data[i + 2] = clamp(b);
  }
  rect(x0: number, y0: number, w: number, h: number, colour: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++) this.set(x, y, colour);
    }
  }
  circle(cx: number, cy: number, radius: number, colour: Rgb): void {
    for (let y = Math.floor(cy - radius); y <= cy + radius; y++) {
      for (let x = Math.floor(cx - radius); x <= cx + radius; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) this.set(x, y, colour);
      }
    }
  }
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps, y = y0 + ((y1 - y0) * s) / steps;
      this.rect(Math.round(x), Math.round(y), thickness, thickness, colour);
    }
  }
  text(x: number, y: number, text: string, scale: number, colour: Rgb): void {
    for (const [n, ch] of [...text.toUpperCase()].entries()) {
      const rows = GLYPHS[ch] ?? GLYPHS[' '];
      rows.forEach((bits, r) => {
        for (let c = 0; c < 5; c++) {
          if (bits & (16 >> c)) this.rect(x + (n * 6 + c) * scale, y + r * scale, scale, scale, colour);
        }
      });
    }
  }
  raster(gray = false): Raster {
    if (!gray) return { width: this.width, height: this.height, channels: 3, data: this.data };
    const out = new Uint8Array(this.width * this.height);
    for (let i = 0; i < out.length; i++) out[i] = this.data[i * 3];
    return { width: this.width, height: this.height, channels: 1, data: out };
  }
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** A smooth random field in about [−1, 1] with a 1/f spectrum (as natural images have), from summed waves. */
function pinkField(width: number, height: number, random: () => number, waves = 48): Float32Array {
  const field = new Float32Array(width * height);
  const size = Math.max(width, height);
  let total = 0;
  for (let k = 0; k < waves; k++) {
    const f = Math.exp(Math.log(1) + random() * Math.log(size / 3)); // cycles per image, log-uniform
    const angle = random() * Math.PI, phase = random() * 2 * Math.PI;
    const fx = (Math.cos(angle) * f * 2 * Math.PI) / size, fy = (Math.sin(angle) * f * 2 * Math.PI) / size;
    const amplitude = 1 / f;
    total += amplitude;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) field[y * width + x] += amplitude * Math.sin(fx * x + fy * y + phase);
    }
  }
  for (let i = 0; i < field.length; i++) field[i] /= total * 0.35;
  return field;
}

const WORDS = ['PATIENT', 'REPORT', 'IMAGE', 'TABLE', 'CLASS', 'MODEL', 'RESULT', 'DATE', 'NAME', 'VALUE', 'INDEX', 'TOTAL', 'PAGE', '2026', '3.14', 'ERROR:', 'OK.'];

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

function randomColour(random: () => number): Rgb {
  return [random() * 255, random() * 255, random() * 255];
}

/** One synthetic image of a kind; `variant` picks among a few looks, `seed` makes it reproducible. */
export function makeNegative(kind: NegativeKind, variant: number, seed: number): Negative {
  const random = seededRandom(seed);
  const width = 200 + Math.floor(random() * 400), height = 200 + Math.floor(random() * 300);
  const c = new Canvas(width, height);
  let name: string = kind;
  let gray = false;
  switch (kind) {
    case 'blank': {
      const looks: [string, Rgb][] = [['black', [0, 0, 0]], ['white', [255, 255, 255]], ['mid-gray', [128, 128, 128]], ['dark-gray', [40, 40, 40]], ['colour', randomColour(random)]];
      const [look, colour] = looks[variant % looks.length];
      c.rect(0, 0, width, height, colour);
      name = `blank ${look}`;
      gray = look !== 'colour';
      break;
    }
    case 'noise': {
      const look = ['uniform', 'gaussian', 'salt-and-pepper', 'colour'][variant % 4];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const g = (n: number) => n * 0.5 + 0.5;
          const v = look === 'uniform' ? random() * 255
            : look === 'gaussian' ? 128 + 40 * Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random())
            : look === 'salt-and-pepper' ? (random() < 0.5 ? 0 : 255) : 0;
          c.set(x, y, look === 'colour' ? [255 * g(random() * 2 - 1), 255 * random(), 255 * random()] : [v, v, v]);
        }
      }
      name = `noise ${look}`;
      gray = look !== 'colour';
      break;
    }
    case 'gradient': {
      const look = ['horizontal', 'vertical', 'radial', 'colour'][variant % 4];
      const from = random() * 80, to = 175 + random() * 80;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const t = look === 'horizontal' ? x / width : look === 'vertical' ? y / height
            : look === 'radial' ? Math.min(1, Math.hypot(x - width / 2, y - height / 2) / (Math.min(width, height) / 2)) : (x + y) / (width + height);
          const v = from + (to - from) * t;
          c.set(x, y, look === 'colour' ? [v, 255 - v, (v * 2) % 256] : [v, v, v]);
        }
      }
      name = `gradient ${look}`;
      gray = look !== 'colour';
      break;
    }
    case 'checkerboard': {
      const cell = [4, 8, 16, 40][variant % 4];
      const [a, b]: Rgb[] = variant % 2 ? [[0, 0, 0], [255, 255, 255]] : [randomColour(random), randomColour(random)];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) c.set(x, y, (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? a : b);
      }
      name = `checkerboard ${cell}px`;
      break;
    }
    case 'text': {
      const looks: [string, Rgb, Rgb][] = [['black on white', [255, 255, 255], [0, 0, 0]], ['white on black', [0, 0, 0], [230, 230, 230]], ['gray on light gray', [220, 220, 220], [60, 60, 60]], ['green terminal', [10, 10, 10], [40, 220, 60]]];
      const [look, paper, ink] = looks[variant % looks.length];
      c.rect(0, 0, width, height, paper);
      const scale = 1 + (variant % 3);
      for (let y = 8; y + 8 * scale < height; y += 11 * scale) c.text(6, y, sentence(random, 8), scale, ink);
      name = `text ${look} ×${scale}`;
      gray = look !== 'green terminal';
      break;
    }
    case 'shapes': {
      const look = ['on white', 'on black', 'colour', 'diagram'][variant % 4];
      c.rect(0, 0, width, height, look === 'on black' ? [0, 0, 0] : [255, 255, 255]);
      for (let k = 0; k < 12; k++) {
        const colour: Rgb = look === 'colour' ? randomColour(random) : look === 'on black' ? [255, 255, 255] : [random() * 120, random() * 120, random() * 120];
        const x = random() * width, y = random() * height, s = 10 + random() * 60;
        if (look === 'diagram') {
          c.rect(x, y, s * 2, s, [0, 0, 0]);
          c.rect(x + 2, y + 2, s * 2 - 4, s - 4, [245, 245, 245]);
          c.text(x + 5, y + 5, WORDS[k % WORDS.length], 1, [0, 0, 0]);
          c.line(x + s, y + s, random() * width, random() * height, [0, 0, 0]);
        } else if (k % 2) c.circle(x, y, s / 2, colour);
        else c.rect(x, y, s, s * (0.5 + random()), colour);
      }
      name = `shapes ${look}`;
      gray = look !== 'colour';
      break;
    }
    case 'photo': {
      const look = ['colour field', 'landscape'][variant % 2];
      const [l, u, v] = [pinkField(width, height, random), pinkField(width, height, random), pinkField(width, height, random)];
      const base = randomColour(random);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = y * width + x;
          if (look === 'colour field') {
            c.set(x, y, [base[0] + 70 * l[i] + 60 * u[i], base[1] + 70 * l[i] - 40 * u[i] + 40 * v[i], base[2] + 70 * l[i] - 60 * v[i]]);
          } else {
            const horizon = height * (0.45 + 0.08 * u[x]);
            const sky: Rgb = [90 + 60 * (y / height), 150 + 50 * (y / height), 235];
            const ground: Rgb = [70 + 40 * l[i], 120 + 50 * l[i], 40 + 20 * v[i]];
            c.set(x, y, y < horizon ? sky : ground);
          }
        }
      }
      if (look === 'landscape') {
        c.circle(width * 0.8, height * 0.15, 20, [255, 230, 90]);
        for (let k = 0; k < 5; k++) {
          const x = random() * width, y = height * (0.5 + 0.4 * random());
          c.rect(x - 3, y, 6, 30, [90, 60, 30]);
          c.circle(x, y, 18, [30, 110 + 40 * random(), 40]);
        }
      }
      name = `photo ${look}`;
      break;
    }
    case 'grayPhoto': {
      // The hard case: a gray natural-looking texture has no colour and a smooth histogram, like ultrasound.
      const l = pinkField(width, height, random);
      const mean = 70 + random() * 100;
      for (let i = 0; i < l.length; i++) {
        const v = mean + 70 * l[i];
        c.set(i % width, Math.floor(i / width), [v, v, v]);
      }
      name = 'gray 1/f photo';
      gray = true;
      break;
    }
  }
  return { kind, name, raster: c.raster(gray) };
}

/** The set the gate is measured on: `perKind` images of every kind, variants cycling, seeds from `seed`. */
export function negativeSet(perKind: number, seed = 1): Negative[] {
  return NEGATIVE_KINDS.flatMap((kind, k) => Array.from({ length: perKind }, (_, v) => makeNegative(kind, v, seed * 1000 + k * 100 + v)));
}

/**
 * A Doppler-like frame: the ultrasound image with a colour box in its middle where smooth blobs of red (flow
 * towards the probe) and blue (away) replace the gray, as colour Doppler displays draw them.
 */
export function dopplerOverlay(ultrasound: Raster, seed: number): Raster {
  const random = seededRandom(seed);
  const { width, height } = ultrasound;
  const out = new Uint8Array(width * height * 3);
  const [bx, by, bw, bh] = [Math.floor(width * 0.3), Math.floor(height * 0.25), Math.floor(width * 0.4), Math.floor(height * 0.4)];
  const flow = pinkField(bw, bh, random, 24);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const s = ultrasound.channels;
      const g = s === 1 ? ultrasound.data[i] : Math.round(0.299 * ultrasound.data[i * s] + 0.587 * ultrasound.data[i * s + 1] + 0.114 * ultrasound.data[i * s + 2]);
      let rgb: Rgb = [g, g, g];
      const inBox = x >= bx && x < bx + bw && y >= by && y < by + bh;
      if (inBox) {
        const f = flow[(y - by) * bw + (x - bx)];
        if (f > 0.35) rgb = [150 + 105 * Math.min(1, f), 40 * f, 20];
        else if (f < -0.35) rgb = [20, 60 * -f, 150 + 105 * Math.min(1, -f)];
        // The colour box outline, as scanners draw it.
        if (x === bx || x === bx + bw - 1 || y === by || y === by + bh - 1) rgb = [200, 200, 200];
      }
      out.set(rgb.map(clamp), i * 3);
    }
  }
  return { width, height, channels: 3, data: out };
}
