/** A minimal PNG writer for tests: builds every colour type and bit depth from known pixel values, so the
 * expected model input can be computed by hand (no encoder dependency, no fixture files). */
import { deflateSync } from 'node:zlib';
import { pngChunk as chunk } from '../../fixtures/png-chunks.ts';

/** PNG colour types (the IHDR byte). */
export const ColourType = { gray: 0, rgb: 2, palette: 3, grayAlpha: 4, rgba: 6 } as const;

/**
 * Encodes a PNG. `samples` holds the raw samples row by row (palette indices for palette images), one number per
 * sample, already at the given bit depth (0–255 or 0–65535).
 */
export function encodePng(options: {
  width: number;
  height: number;
  colourType: number;
  bitDepth: 8 | 16;
  samples: number[];
  palette?: [number, number, number][];
  transparency?: number[];
}): Uint8Array {
  const { width, height, colourType, bitDepth, samples } = options;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType]!;
  const bytesPerSample = bitDepth / 8;
  const stride = width * channels * bytesPerSample;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    for (let i = 0; i < width * channels; i++) {
      const v = samples[y * width * channels + i];
      const at = y * (stride + 1) + 1 + i * bytesPerSample;
      if (bitDepth === 16) {
        raw[at] = v >> 8;
        raw[at + 1] = v & 0xff;
      } else raw[at] = v;
    }
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([bitDepth, colourType, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header)];
  if (options.palette) parts.push(chunk('PLTE', new Uint8Array(options.palette.flat())));
  if (options.transparency) parts.push(chunk('tRNS', new Uint8Array(options.transparency)));
  parts.push(chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
