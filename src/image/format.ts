import type { Decoders } from './codecs.ts';
import type { Raster } from './raster.ts';

/** What the header of an accepted image says, read without decoding it. */
export interface ImageHeader {
  /** The registry name of the format ('png', 'jpeg', …), reported in answers. */
  format: string;
  /** The stored size, before any EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 2–8 when the file carries one (absent means 1, upright). */
  orientation?: number;
  /** Number of frames when the format can hold several (multi-frame DICOM, animated GIF). */
  frames?: number;
  /**
   * The whole stored frame, when the decoder reads all of it but answers a part (a DICOM ultrasound region): the
   * pixel limits apply to it as well as to width × height.
   */
  frameSize?: { width: number; height: number };
  /** Whatever the format's sniff parsed and its decode needs again (so no header is walked twice). */
  parsed?: unknown;
}

/** What a decode gets besides the bytes and their header. */
export interface DecodeContext {
  /** The runtime's compiled codecs (imagescript PNG/JPEG wasm). */
  decoders: Decoders;
  /** The stored-orientation size the caller will area-resize to; a decoder may decode smaller but covering it. */
  atLeast?: { width: number; height: number };
  /** 0-based frame to decode, for formats with several (checked against header.frames by the caller). */
  frame: number;
}

/**
 * One image format: its magic bytes, a header sniff that reads the size without decoding (so the pixel
 * limits are enforced before any work), and a decoder. A decoder may be async (a codec loaded on first use,
 * a stream API); it throws ApiError for answers of its own (415 for an unsupported variant) and anything
 * else for undecodable data (reported as 422).
 */
export interface ImageFormat {
  /** Lower-case name, as in ImageHeader.format. */
  name: string;
  /** Cheap magic-byte test; no parsing. */
  matches(bytes: Uint8Array): boolean;
  /** Reads the header; throws ApiError 422 (broken) or 415 (unsupported variant). */
  sniff(bytes: Uint8Array): ImageHeader;
  /** Decodes to a raster in stored orientation (the caller applies header.orientation). */
  decode(bytes: Uint8Array, header: ImageHeader, context: DecodeContext): Raster | Promise<Raster>;
}
