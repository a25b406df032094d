/** float16 and uint8 weight files written by train/quantize.ts load in the serving Classifier and give nearly the
 * same probabilities as float32 (the CLI then refuses any that change a class). Skipped without tfjs-node. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bindingMissing } from './helpers/binding.ts';


test('float16 and uint8 weights: 1/2 and 1/4 of the bytes, probabilities close to float32', { skip: bindingMissing(), timeout: 120_000 }, async () => {
  const tf = await import('@tensorflow/tfjs-node');
  await tf.setBackend('tensorflow');
  const { buildEdge } = await import('../../train/architectures.ts');
  const { quantizeModelDir } = await import('../../train/quantize.ts');
  const { loadServingClassifier } = await import('../../train/eval/serving.ts');
  const dir = mkdtempSync(join(tmpdir(), 'quantize-'));
  try {
    const model = buildEdge(5);
    await model.save(`file://${join(dir, 'float32')}`);
    model.dispose();
    for (const format of ['float16', 'uint8'] as const) {
      cpSync(join(dir, 'float32'), join(dir, format), { recursive: true });
      quantizeModelDir(join(dir, format), format);
    }
    const size = (f: string) => statSync(join(dir, f, 'weights.bin')).size;
    assert.equal(size('float16'), size('float32') / 2);
    assert.equal(size('uint8'), size('float32') / 4);
    const inputs = Array.from({ length: 6 }, (_, i) => {
      const x = new Float32Array(128 * 128);
      for (let p = 0; p < x.length; p++) x[p] = ((p * (i + 3)) % 251) / 251;
      return x;
    });
    const scores: Record<string, number[]> = {};
    for (const format of ['float32', 'float16', 'uint8']) {
      const classifier = await loadServingClassifier(join(dir, format));
      scores[format] = classifier.classify(inputs);
      classifier.dispose();
    }
    const maxDelta = (f: string) => Math.max(...scores[f].map((p, i) => Math.abs(p - scores.float32[i])));
    assert.ok(maxDelta('float16') < 5e-3, `float16 max |Δp| ${maxDelta('float16')}`);
    assert.ok(maxDelta('uint8') < 0.1, `uint8 max |Δp| ${maxDelta('uint8')}`);
    assert.ok(maxDelta('float16') > 0 || maxDelta('uint8') > 0, 'quantisation changed nothing: was it applied?');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
