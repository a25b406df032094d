/** The benchmark's images, read from the shared data set at run time (never committed). */
import { Image } from 'imagescript';

/** Where the shared data lives (DATA_DIR or ../shared/data beside the project). */
export const DATA_DIR = Deno.env.get('DATA_DIR') ?? new URL('../../shared/data', import.meta.url).pathname;

/** A request body the benchmark sends. */
export interface BenchImage {
  name: string;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  bytes: Uint8Array;
}

/**
 * A data-set file name as a key without dots or slashes ("busi/benign/benign (1).png" → "busi-benign-benign-1"),
 * so results can list images in an array the docs pick from (scripts/docs-numbers.ts: `perImage[key=…]`).
 */
export function imageKey(file: string): string {
  return file.replace(/\.png$/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
}

// A typical BUSI frame: 8-bit gray PNG, 562×471 (most BUSI frames are 550–780 px wide).
const TYPICAL_PNG = 'busi/benign/benign (1).png';

/** Whether the shared data set is there. */
export function hasData(): boolean {
  try {
    Deno.statSync(`${DATA_DIR}/${TYPICAL_PNG}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The typical BUSI PNG as stored, and a 1 MP JPEG (1155×866, quality 90) made from it with imagescript's
 * encoder, standing in for a phone photo or a scanner export.
 */
export async function benchImages(): Promise<BenchImage[]> {
  const png = Deno.readFileSync(`${DATA_DIR}/${TYPICAL_PNG}`);
  const image = await Image.decode(png);
  const pngImage: BenchImage = { name: 'busi-png-562x471', format: 'png', width: image.width, height: image.height, bytes: png };
  image.resize(1155, 866);
  const jpeg = await image.encodeJPEG(90);
  return [pngImage, { name: 'jpeg-1mp-1155x866', format: 'jpeg', width: 1155, height: 866, bytes: jpeg }];
}
