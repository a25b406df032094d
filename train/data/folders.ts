import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from './sample.ts';

const IMAGE = /\.(png|jpe?g|bmp|tiff?|gif|webp|dcm|dicom)$/i; // every format the serving decoder reads (docs/formats.md)

/**
 * Reads a Keras-style folder (`<root>/<class>/*.png|jpg`, as `image_dataset_from_directory`). The class named
 * `malignant` (or listed in `positive`) is label 1, every other class label 0. Each file is its own group.
 */
export function readClassFolders(root: string, positive: string[] = ['malignant'], skip: string[] = []): Sample[] {
  const samples: Sample[] = [];
  for (const className of readdirSync(root).sort()) {
    const dir = join(root, className);
    if (!statSync(dir).isDirectory() || skip.includes(className) || className === 'masks') continue;
    for (const file of readdirSync(dir).sort()) {
      if (!IMAGE.test(file)) continue;
      samples.push({
        path: join(dir, file),
        label: positive.includes(className) ? 1 : 0,
        className,
        group: `f:${className}/${file}`,
      });
    }
  }
  return samples;
}
