import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { readBreastMnist } from '../../train/data/breastmnist.ts';
import { readBusi } from '../../train/data/busi.ts';
import { readBreastLesions } from '../../train/data/external.ts';
import { parseNpy } from '../../train/data/npz.ts';
import { addToTraining, splitByGroup } from '../../train/split.ts';

const DATA = process.env.DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
const skip = existsSync(`${DATA}/busi/manifest.csv`) ? false : `needs the shared data in ${DATA}`;

test('a .npy header and body parse', () => {
  const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
  const padded = header.padEnd(118, ' ') + '\n';
  const bytes = new Uint8Array(10 + padded.length + 6);
  bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, padded.length & 0xff, padded.length >> 8]);
  bytes.set(new TextEncoder().encode(padded), 10);
  bytes.set([1, 2, 3, 4, 5, 6], 10 + padded.length);
  const a = parseNpy(bytes);
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data as Uint8Array), [1, 2, 3, 4, 5, 6]);
});

test('BUSI split keeps every near-duplicate group in one part, stratified and reproducible', { skip }, () => {
  const samples = readBusi(`${DATA}/busi`, { includeNormal: false });
  assert.equal(samples.length, 647);
  const split = splitByGroup(samples, { val: 0.15, test: 0.15 }, 7);
  const partOf = new Map<string, string>();
  for (const part of ['train', 'val', 'test'] as const) {
    for (const s of split[part]) {
      const seen = partOf.get(s.group);
      assert.ok(seen === undefined || seen === part, `group ${s.group} in ${seen} and ${part}`);
      partOf.set(s.group, part);
    }
  }
  assert.equal(split.train.length + split.val.length + split.test.length, samples.length);
  const malignantShare = (xs: typeof samples) => xs.filter((s) => s.label === 1).length / xs.length;
  for (const part of ['val', 'test'] as const) {
    assert.ok(Math.abs(split[part].length / samples.length - 0.15) < 0.04, `${part} size`);
    assert.ok(Math.abs(malignantShare(split[part]) - malignantShare(samples)) < 0.08, `${part} stratified`);
  }
  const again = splitByGroup(samples, { val: 0.15, test: 0.15 }, 7);
  assert.deepEqual(again.test.map((s) => s.path), split.test.map((s) => s.path));
  // The byte-identical cross-class pair must land together.
  const a = samples.find((s) => s.path.endsWith('benign (433).png'))!;
  const b = samples.find((s) => s.path.endsWith('malignant (145).png'))!;
  assert.equal(a.group, b.group);
});

test('normals join training only: validation and test unchanged, no held-out group in training', { skip }, () => {
  const all = readBusi(`${DATA}/busi`, { includeNormal: true });
  const lesions = all.filter((s) => s.className !== 'normal');
  const normals = all.filter((s) => s.className === 'normal');
  assert.equal(normals.length, 133);
  const split = splitByGroup(lesions, { val: 0.15, test: 0.15 }, 7);
  const withNormals = addToTraining(split, normals);
  assert.deepEqual(withNormals.val, split.val);
  assert.deepEqual(withNormals.test, split.test);
  const heldOut = new Set([...split.val, ...split.test].map((s) => s.group));
  assert.ok(withNormals.train.every((s) => !heldOut.has(s.group)), 'a held-out group leaked into training');
  assert.ok(withNormals.train.filter((s) => s.className === 'normal').length > 100);
  // A normal that shares a group with a held-out lesion image is left out (made up here: the real data may have none).
  const twin = { ...normals[0], group: split.test[0].group };
  assert.ok(!addToTraining(split, [twin]).train.includes(twin));
});

test('BreastMNIST official splits read with labels flipped to 1 = malignant', { skip }, () => {
  const m = readBreastMnist(`${DATA}/breastmnist/breastmnist_128.npz`);
  assert.deepEqual([m.train.labels.length, m.val.labels.length, m.test.labels.length], [546, 78, 156]);
  assert.equal(m.train.rasters[0].width, 128);
  const share = m.test.labels.filter((l) => l === 1).length / m.test.labels.length;
  assert.ok(share > 0.2 && share < 0.35, 'about 27% malignant'); // benign-always accuracy 0.731
});

test('the external set has 154 benign and 98 malignant cases', { skip }, () => {
  const ext = readBreastLesions(`${DATA}/breast-lesions-usg`);
  assert.equal(ext.filter((s) => s.label === 0).length, 154);
  assert.equal(ext.filter((s) => s.label === 1).length, 98);
});
