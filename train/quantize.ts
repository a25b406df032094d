import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelJson } from '../src/model/classifier.ts';

/** Weight storage formats tfjs can load: plain float32, or quantised with `quantization` in the manifest. */
export type Quantization = 'float32' | 'float16' | 'uint8';

function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  let exp = ((bits >>> 23) & 0xff) - 127 + 15;
  let mant = bits & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >> (1 - exp);
    return sign | ((mant + 0x1000) >> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  const half = sign | (exp << 10) | ((mant + 0x1000) >> 13);
  return half;
}

/**
 * Rewrites a saved float32 model's weights as float16 or uint8 (affine, per tensor), in place; tensors whose name
 * matches `keep` stay float32. tfjs dequantises on load, so serving code is unchanged; the caller checks that
 * classes do not change.
 */

/**
 * Batch-norm statistics, biases and depthwise kernels: a tenth of MobileNetV2's weights, but batch norm is folded
 * into the convolutions at load, and some depthwise channels pair tiny kernels with large batch-norm scales, so
 * their rounding is multiplied through the network (scores moved by up to 0.07 with everything in float16).
 */
export const KEEP_FLOAT32 = /(moving_mean|moving_variance|gamma|beta|bias|depthwise_kernel)$/;
export function quantizeModelDir(dir: string, to: Quantization, options: { keep?: { test(name: string): boolean } } = {}): void {
  if (to === 'float32') return;
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const group = modelJson.weightsManifest[0];
  const raw = readFileSync(join(dir, group.paths[0]));
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const spec of group.weights) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = floats.subarray(offset, offset + size);
    offset += size;
    if (options.keep?.test(spec.name)) {
      chunks.push(new Uint8Array(values.slice().buffer));
    } else if (to === 'float16') {
      const half = new Uint16Array(size);
      for (let i = 0; i < size; i++) half[i] = toHalf(values[i]);
      chunks.push(new Uint8Array(half.buffer));
      Object.assign(spec, { quantization: { dtype: 'float16', original_dtype: 'float32' } });
    } else {
      let min = Infinity, max = -Infinity;
      for (const v of values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const scale = (max - min) / 255 || 1;
      const q = new Uint8Array(size);
      for (let i = 0; i < size; i++) q[i] = Math.round((values[i] - min) / scale);
      chunks.push(q);
      Object.assign(spec, { quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' } });
    }
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  writeFileSync(join(dir, group.paths[0]), out);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
}
