/** Encodes a raster as PNG or JPEG with imagescript (the codecs the server decodes with), for synthetic inputs. */
import { Image } from 'imagescript';
import type { Raster } from '../../src/image/raster.ts';

/** The raster as an imagescript image (RGBA). */
function toImage({ width, height, channels, data }: Raster): Image {
  const image = new Image(width, height);
  const bitmap = image.bitmap;
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const [r, g, b] = channels === 1 ? [data[s], data[s], data[s]] : [data[s], data[s + 1], data[s + 2]];
    bitmap.set([r, g, b, channels === 4 ? data[s + 3] : 255], i * 4);
  }
  return image;
}

/** PNG bytes of a raster. */
export async function encodePng(raster: Raster): Promise<Uint8Array> {
  return await toImage(raster).encode();
}

/** JPEG bytes of a raster (quality 0–100). */
export async function encodeJpeg(raster: Raster, quality: Parameters<Image['encodeJPEG']>[0] = 85): Promise<Uint8Array> {
  return await toImage(raster).encodeJPEG(quality);
}
