import { type Inflate, readCommonPng } from './png-reader.ts';
import type { Raster } from './raster.ts';
import { createWebpDecoder } from './webp-codec.ts';

/** The compiled imagescript codecs; each runtime compiles or imports them its own way (see src/runtime/). */
export interface CodecModules {
  png: WebAssembly.Module;
  jpeg: WebAssembly.Module;
  /**
   * A native zlib inflate (src/image/stream-inflate.ts on every runtime): common PNGs (8-bit gray/RGB/RGBA)
   * are then read by src/image/png-reader.ts instead of the wasm codec, ~4× less CPU, same pixels (gray
   * stays one channel). Without it every PNG goes through the codec.
   */
  inflate?: Inflate;
  /** @jsquash/webp's libwebp decoder (src/image/webp-codec.ts); without it WebP answers 415. */
  webp?: WebAssembly.Module;
}

/** A width and height in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Decoders that turn PNG/JPEG bytes into a Raster; they throw a plain Error on undecodable data. */
export interface Decoders {
  /** Async when the runtime's inflate is (common PNGs through DecompressionStream). */
  decodePng(bytes: Uint8Array): Raster | Promise<Raster>;
  /**
   * `atLeast`, when given, lets the JPEG decoder downscale in the DCT domain (by 1/2, 1/4 or 1/8) to the
   * smallest size that still covers it in both dimensions: much less work than decoding every pixel (a 1 MP
   * JPEG for a 128 px model: ~50 → ~15 ms). The pixels are then an approximation of the full decode's
   * block averages, not equal to them; see the README performance section for the measured tolerance.
   * `size` is the full size from the sniffed header (src/image/formats/jpeg.ts), needed to pick the scale;
   * passing it means the header is not walked again here.
   */
  decodeJpeg(bytes: Uint8Array, atLeast?: Size, size?: Size): Raster;
  /** WebP (lossy or lossless) to RGBA, when the runtime has the codec. */
  decodeWebp?(bytes: Uint8Array): Promise<Raster>;
}

// The exports of imagescript's png.wasm / jpeg.wasm (Rust codecs behind a tiny C-like ABI).
interface PngExports {
  memory: WebAssembly.Memory;
  walloc(size: number): number;
  wfree(ptr: number): void;
  decode(ptr: number, length: number): number;
  width(): number;
  height(): number;
}
interface JpegExports {
  memory: WebAssembly.Memory;
  walloc(size: number): number;
  wfree(ptr: number, size: number): void;
  wlen(): number;
  decode(ptr: number, length: number, width: number, height: number): number;
  decode_width(ptr: number): number;
  decode_height(ptr: number): number;
  decode_format(ptr: number): number;
  decode_buffer(ptr: number): number;
  decode_free(ptr: number): void;
}

// jpeg.wasm pixel formats: 0 = L8, 1 = RGB24, 2 = CMYK32.
const JPEG_GRAY = 0;
const JPEG_RGB = 1;
const JPEG_CMYK = 2;

function copyIn(memory: WebAssembly.Memory, ptr: number, bytes: Uint8Array): void {
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
}

/** Converts decoded CMYK (the codec reports ink amounts: 0 = no ink, Adobe inversion already undone) to RGB. */
function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const white = 255 - cmyk[i + 3];
    rgb[o] = Math.round(((255 - cmyk[i]) * white) / 255);
    rgb[o + 1] = Math.round(((255 - cmyk[i + 1]) * white) / 255);
    rgb[o + 2] = Math.round(((255 - cmyk[i + 2]) * white) / 255);
  }
  return rgb;
}

// The codec's scaled IDCT produces ceil(side · k / 8) pixels for k = 1, 2, 4 or 8.
const scaled = (side: number, eighths: number) => Math.ceil((side * eighths) / 8);

/**
 * What to ask jpeg.wasm for so that it decodes at the smallest scale covering `atLeast` in BOTH dimensions.
 * (Its decoder, jpeg-decoder's `scale`, takes the first k where width OR height reaches the request, so the
 * request names only the width of the scale wanted and an unreachable height.) 0 × 0 means full size.
 */
function scaleRequest(size: Size, atLeast: Size): Size {
  const { width, height } = size;
  if (width === 0 || height === 0) return { width: 0, height: 0 };
  const eighths = [1, 2, 4, 8].find((k) => scaled(width, k) >= atLeast.width && scaled(height, k) >= atLeast.height) ?? 8;
  return eighths === 8 ? { width: 0, height: 0 } : { width: scaled(width, eighths), height: 0xffff };
}

/** Any PNG through imagescript's codec (RGBA out); a fresh instance per image, as below. */
function wasmPng(module: WebAssembly.Module, bytes: Uint8Array): Raster {
  const instance = new WebAssembly.Instance(module, {
    env: { emscripten_notify_memory_growth() {} },
  });
  const png = instance.exports as unknown as PngExports;
  const memory = png.memory;
  const input = png.walloc(bytes.length);
  copyIn(memory, input, bytes);
  const output = png.decode(input, bytes.length);
  png.wfree(input);
  if (output < 0) throw new Error(`png: failed to decode (${output})`);
  const width = png.width();
  const height = png.height();
  const data = new Uint8Array(memory.buffer, output, width * height * 4).slice();
  return { width, height, channels: 4, data };
}

/**
 * Wraps imagescript's png/jpeg wasm codecs. Each call gets a fresh instance, so the wasm memory an image
 * grew is dropped with it instead of staying allocated for the life of the isolate.
 */
export function createDecoders(modules: CodecModules): Decoders {
  const decoders: Decoders = {
    decodePng(bytes) {
      const common = modules.inflate ? readCommonPng(bytes, modules.inflate) : null;
      if (common instanceof Promise) return common.then((raster) => raster ?? wasmPng(modules.png, bytes));
      return common ?? wasmPng(modules.png, bytes);
    },

    decodeJpeg(bytes, atLeast, size) {
      const jpeg = new WebAssembly.Instance(modules.jpeg).exports as unknown as JpegExports;
      const input = jpeg.walloc(bytes.length);
      copyIn(jpeg.memory, input, bytes);
      // Without the header's size there is no scale to pick: decode in full.
      const request = atLeast && size ? scaleRequest(size, atLeast) : { width: 0, height: 0 };
      const frame = jpeg.decode(input, bytes.length, request.width, request.height);
      jpeg.wfree(input, bytes.length);
      if (frame === 0) throw new Error('jpeg: failed to decode');
      if (frame === 1) throw new Error('jpeg: failed to scale decoder');
      const width = jpeg.decode_width(frame);
      const height = jpeg.decode_height(frame);
      const format = jpeg.decode_format(frame);
      const pixels = width * height;
      const buffer = new Uint8Array(jpeg.memory.buffer, jpeg.decode_buffer(frame), jpeg.wlen());
      let raster: Raster;
      if (format === JPEG_GRAY) raster = { width, height, channels: 1, data: buffer.slice(0, pixels) };
      else if (format === JPEG_RGB) raster = { width, height, channels: 3, data: buffer.slice(0, pixels * 3) };
      else if (format === JPEG_CMYK) raster = { width, height, channels: 3, data: cmykToRgb(buffer, pixels) };
      else throw new Error(`jpeg: unknown pixel format ${format}`);
      jpeg.decode_free(frame);
      // The request below should always cover atLeast; if a codec ever rounds differently, decode in full.
      if (atLeast && size && (width < Math.min(atLeast.width, size.width) || height < Math.min(atLeast.height, size.height))) {
        return decoders.decodeJpeg(bytes);
      }
      return raster;
    },
  };
  if (modules.webp) decoders.decodeWebp = createWebpDecoder(modules.webp);
  return decoders;
}
