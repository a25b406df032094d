import type { Raster } from '../../src/image/raster.ts';
import { readNpz } from './npz.ts';

/** One BreastMNIST split as rasters with labels turned into 1 = malignant (the files use 0 = malignant). */
export interface MnistSplit {
  rasters: Raster[];
  labels: (0 | 1)[];
}

/** Reads the official MedMNIST BreastMNIST train/val/test splits from an .npz file. */
export function readBreastMnist(path: string): Record<'train' | 'val' | 'test', MnistSplit> {
  const arrays = readNpz(path);
  const split = (name: 'train' | 'val' | 'test'): MnistSplit => {
    const images = arrays[`${name}_images`];
    const labels = arrays[`${name}_labels`];
    const [n, height, width] = images.shape;
    const pixels = height * width;
    const data = images.data as Uint8Array;
    return {
      rasters: Array.from({ length: n }, (_, i) => ({
        width,
        height,
        channels: 1 as const,
        data: data.subarray(i * pixels, (i + 1) * pixels),
      })),
      labels: Array.from({ length: n }, (_, i) => (Number(labels.data[i]) === 0 ? 1 : 0)),
    };
  };
  return { train: split('train'), val: split('val'), test: split('test') };
}
