/** Decoded pixels: row-major, interleaved, 8 bits per channel (1 = gray, 3 = RGB, 4 = RGBA). */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** The tensor shape a model expects for one image (height × width × channels), values in [0, 1]. */
export interface InputSpec {
  height: number;
  width: number;
  channels: 1 | 3;
}
