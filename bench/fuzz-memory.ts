/**
 * Memory per family of damaged files through `app.request` (the mutation fuzzer's generator, tests/fixtures/
 * mutations.ts; tiny stand-in model): RSS, V8 heap after a forced GC, external memory and tfjs tensors every
 * --every requests. A bounded process flattens out; a leak keeps climbing. Each family runs in its own process
 * so one cannot inherit another's memory. Prints one JSON line per sample; --json keeps them all.
 *
 *   deno run -A bench/fuzz-memory.ts [--runs 3000] [--every 500] [--families png,jpeg,bmp,tiff,gif,all] [--json FILE]
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { testApp, tinyPredictor } from '../tests/fixtures/app.ts';
import { encodeBmp, encodeGif, encodeTiff, type Gray } from '../tests/fixtures/encoders.ts';
import { gradientJpeg, gradientPng } from '../tests/fixtures/images.ts';
import { mutatedFrom } from '../tests/fixtures/mutations.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3000' },
    every: { type: 'string', default: '500' },
    families: { type: 'string', default: 'png,jpeg,bmp,tiff,gif,all' },
    json: { type: 'string' },
    child: { type: 'string' }, // internal: run one family in this process
  },
});
const runs = Number(values.runs), every = Number(values.every);

/** Seed files per family: generated pictures plus the colour fixtures (every PNG colour type, JPEG flavour). */
async function familySeeds(): Promise<Record<string, Uint8Array[]>> {
  const gray: Gray = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 7) % 256) };
  const colour = new URL('../tests/fixtures/colour/', import.meta.url);
  const fixtures = (ext: RegExp) =>
    [...Deno.readDirSync(colour)].map((e) => e.name).filter((n) => ext.test(n)).sort().map((n) => Deno.readFileSync(new URL(n, colour)));
  const families: Record<string, Uint8Array[]> = {
    png: [await gradientPng(40, 30), await gradientPng(7, 120), ...fixtures(/\.png$/)],
    jpeg: [await gradientJpeg(40, 30), await gradientJpeg(90, 9, 50), ...fixtures(/\.jpg$/)],
    bmp: ([1, 4, 8, 24, 32] as const).map((bits) => encodeBmp(gray, bits, bits === 24)),
    tiff: (['none', 'packbits', 'deflate'] as const).map((c) => encodeTiff(gray, c, c === 'packbits' ? 6 : 1)),
    gif: [encodeGif(gray)],
  };
  families.all = Object.values(families).flat();
  return families;
}

async function runFamily(family: string): Promise<void> {
  const seeds = (await familySeeds())[family];
  if (!seeds) throw new Error(`unknown family ${family}`);
  const predictor = tinyPredictor();
  await predictor;
  const { app, logs } = testApp(predictor, { maxBodyBytes: 2_000_000, maxImagesPerRequest: 4, maxPixels: 4_000_000 });
  const gc = (globalThis as { gc?: () => void }).gc;
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const sample = (done: number) => {
    gc?.();
    logs.length = 0; // the harness keeps access-log lines; they are not the app's memory
    const m = Deno.memoryUsage();
    console.log(JSON.stringify({ family, done, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external), tensors: tf.memory().numTensors }));
  };
  sample(0);
  // Inputs are drawn one sample interval at a time, so the bench itself holds no more than `every` of them.
  for (let done = 0; done < runs; done += every) {
    for (const bytes of fc.sample(mutatedFrom(seeds), { seed: 20261127 + done, numRuns: every })) {
      const form = new FormData();
      form.append('image', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'x');
      await (await app.request('/predict', { method: 'POST', body: form })).text();
      // One event-loop turn per request, as a server gets: V8 keeps WeakRef targets (the AbortSignal of every
      // Request Deno builds) alive until the current job ends, so a loop that never yields grows ~1 KB a request.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    sample(done + every);
  }
}

if (values.child) {
  await runFamily(values.child);
} else {
  type Sample = { family: string; done: number; rssMb: number; heapUsedMb: number; externalMb: number; tensors: number };
  const samples: Sample[] = [];
  for (const family of values.families.split(',')) {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ['run', '-A', '--v8-flags=--expose-gc', new URL(import.meta.url).pathname, '--child', family, '--runs', `${runs}`, '--every', `${every}`],
      stdout: 'piped',
      stderr: 'inherit',
    }).output();
    for (const line of new TextDecoder().decode(child.stdout).split('\n')) {
      if (!line.startsWith('{')) continue;
      console.log(line);
      samples.push(JSON.parse(line));
    }
    if (!child.success) throw new Error(`family ${family} failed (exit ${child.code})`);
  }
  if (values.json) {
    // Per family: the first sample after start-up (warm) and the last, for the documents; every sample too.
    const families = Object.fromEntries(values.families.split(',').map((f) => {
      const own = samples.filter((s) => s.family === f);
      return [f, { start: own[0], warm: own[1], end: own.at(-1), samples: own }];
    }));
    const command = `deno run -A bench/fuzz-memory.ts --runs ${runs} --every ${every} --families ${values.families}`;
    await Deno.writeTextFile(values.json, JSON.stringify({ command, runs, every, families }, null, 2) + '\n');
  }
}
