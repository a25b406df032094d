import type { Decoders, Size } from './codecs.ts';
import { decodeImage } from './decode.ts';
import type { ImageHeader } from './format.ts';
import type { ImageLimits } from './limits.ts';
import { swapsSides } from './orient.ts';
import { toModelInput } from './preprocess.ts';
import type { InputSpec, Raster } from './raster.ts';
import { ROI_MARGIN, type Roi } from './roi.ts';
import { cropScaled, planRoi } from './roi-plan.ts';
import { sniffImage } from './sniff.ts';

/** Optional parts of one image's request. */
export interface InputOptions {
  /**
   * Box mode: the user's lesion box in pixels of the upright image. It is clipped, grown by `roiMargin` and
   * clipped again (src/image/roi-plan.ts) and the model reads only that crop box.
   */
  roi?: Roi;
  /** The margin box mode adds around `roi` (default ROI_MARGIN). */
  roiMargin?: number;
  /** 1-based frame of a multi-frame file (default 1). */
  frame?: number;
  /** The sniffed header, when the caller already has it (e.g. to validate a box against the upright size). */
  header?: ImageHeader;
}

/** What an answer says about the image: its format, upright size and, for multi-frame files, the frames. */
export interface ImageInfo {
  format: string;
  width: number;
  height: number;
  /** Present for formats that can hold several frames: how many there were, and which one was read. */
  frames?: number;
  frame?: number;
}

/** One image turned into a model input, with what was learnt on the way. */
export interface ModelInput {
  input: Float32Array;
  header: ImageHeader;
  image: ImageInfo;
  /** In box mode, the crop box the model read (upright-image pixels). */
  box?: Roi;
  /** The pixels the model input was made from (upright, cropped in box mode; may be a reduced JPEG decode). */
  raster: Raster;
  timings: { decode: number; preprocess: number };
}

/** The size a viewer shows: the stored size with width and height swapped for EXIF orientations 5–8. */
export function uprightSize(header: ImageHeader): Size {
  return swapsSides(header.orientation) ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

/**
 * THE bytes → model-input path, shared by serving, training, evaluation, heatmap scripts and benches so they
 * all see the same tensor for the same file: sniff once (format by magic bytes, size, orientation), refuse
 * by the pixel limits, decode (JPEG at a reduced scale that still covers the model input), turn upright,
 * optionally crop to a lesion box, then toModelInput. Throws ApiError for anything the caller should answer with.
 */
export async function imageToModelInput(
  bytes: Uint8Array,
  decoders: Decoders,
  spec: InputSpec,
  limits: ImageLimits,
  options: InputOptions = {},
): Promise<ModelInput> {
  const t0 = performance.now();
  const header = options.header ?? sniffImage(bytes);
  const upright = uprightSize(header);
  const plan = options.roi && planRoi(options.roi, upright.width, upright.height, spec, options.roiMargin ?? ROI_MARGIN);
  // With a box, the decode must cover the model input over the box, i.e. more of the whole image.
  let raster = await decodeImage(bytes, decoders, { limits, atLeast: plan?.atLeast ?? spec, header, frame: options.frame });
  if (plan) raster = cropScaled(raster, plan.box, upright.width, upright.height);
  const t1 = performance.now();
  const input = toModelInput(raster, spec);
  const t2 = performance.now();
  const image: ImageInfo = { format: header.format, ...upright };
  if (header.frames !== undefined) Object.assign(image, { frames: header.frames, frame: options.frame ?? 1 });
  return { input, header, image, box: plan?.box, raster, timings: { decode: t1 - t0, preprocess: t2 - t1 } };
}
