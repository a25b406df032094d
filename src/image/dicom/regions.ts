import type { DataSet } from 'dicom-parser';

/** A rectangle in stored pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const SEQUENCE = 'x00186011'; // Sequence of Ultrasound Regions
const SPATIAL_FORMAT = 'x00186012'; // 1 = 2D (B-mode), 2 = M-mode, 3 = spectral, 4 = waveform, …
const DATA_TYPE = 'x00186014'; // 1 = tissue
const [MIN_X, MIN_Y, MAX_X, MAX_Y] = ['x00186018', 'x0018601a', 'x0018601c', 'x0018601e'];

/**
 * The B-mode region of an ultrasound frame, from the Sequence of Ultrasound Regions (0018,6011): the largest 2D
 * region (RegionSpatialFormat 1), tissue regions first, clipped to the frame. The model then reads only that
 * region, not the scanner's on-screen text, scales and M-mode or Doppler panes beside it. Undefined when the
 * file has no such region or it covers the whole frame; malformed regions are ignored.
 */
export function bModeRegion(dataSet: DataSet, columns: number, rows: number): Box | undefined {
  const items = dataSet.elements[SEQUENCE]?.items ?? [];
  let best: (Box & { tissue: boolean }) | undefined;
  for (const item of items) {
    const region = item.dataSet;
    if (!region || region.uint16(SPATIAL_FORMAT) !== 1) continue;
    const [x0, y0, x1, y1] = [MIN_X, MIN_Y, MAX_X, MAX_Y].map((tag) => region.uint32(tag));
    if ([x0, y0, x1, y1].some((v) => v === undefined)) continue;
    const x = Math.min(x0!, columns), y = Math.min(y0!, rows);
    const width = Math.min(x1!, columns - 1) - x + 1, height = Math.min(y1!, rows - 1) - y + 1;
    if (width < 1 || height < 1) continue;
    const tissue = region.uint16(DATA_TYPE) === 1;
    const better = !best || (tissue && !best.tissue) || (tissue === best.tissue && width * height > best.width * best.height);
    if (better) best = { x, y, width, height, tissue };
  }
  if (!best || (best.width === columns && best.height === rows)) return undefined;
  return { x: best.x, y: best.y, width: best.width, height: best.height };
}

/** The box of a raster (any channel count), copied out. */
export function cropBox<R extends { width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array }>(raster: R, box: Box): R {
  const { channels } = raster;
  const data = new Uint8Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * raster.width + box.x) * channels;
    data.set(raster.data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return { ...raster, width: box.width, height: box.height, data };
}
