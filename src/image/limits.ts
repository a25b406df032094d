/** Limits on what one request may ask the server to hold in memory. */
export interface ImageLimits {
  /** Largest accepted width × height, checked from the header before decoding. */
  maxPixels: number;
  /** Largest accepted side in pixels. */
  maxSide: number;
}

/**
 * Defaults for a server: an 8 MP image decodes to 32 MB of RGBA inside the codec's wasm memory plus a copy on
 * the JS side; ultrasound frames are far smaller. The Workers build lowers MAX_PIXELS to 2 MP in wrangler.toml
 * for its 128 MB isolate (docs/workers.md).
 */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 8_000_000, maxSide: 8192 };
