/**
 * Where a /predict request's CPU goes in local workerd, part by part, on the images bench/workerd.ts uses:
 *
 *   node_modules/.bin/deno run -A bench/workerd-parts.ts [--rounds 7] [--k 10] [--json bench/results/workerd-parts.json]
 *
 * Serves bench/workerd-parts-worker.ts (the served predictor, built as src/worker.ts builds it) with the project's
 * wrangler settings in workerd, then for each image and part sends the same multipart body with k = 0 and k = K
 * and takes the workerd process's CPU difference (all live threads, bench/http.ts threadsCpuSeconds) over K:
 * the part's CPU when repeated back to back (warm caches), median over the rounds. Parts and images are
 * interleaved within a round, so a busy machine slows them alike. A single request runs each part once on cold
 * caches, so its total (bench/workerd.ts) is larger than the sum of these; `request` is the k = 0 request itself
 * (HTTP, Miniflare's entry worker, reading the form, decoding and preprocessing once for the part's inputs).
 * Prints numbers; asserts nothing about time.
 */
import { parseArgs } from 'node:util';
import { DATA_DIR, hasData, readData } from '../tests/fixtures/data.ts';
import { multipart } from '../tests/fixtures/images.ts';
import { rawPost } from '../tests/workerd/launch.ts';
import { encodeForm, threadsCpuSeconds, workerdAnnouncement } from './http.ts';
import { imageKey } from './images.ts';

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: 'string', default: '7' },
    k: { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});
if (!hasData()) {
  console.error(`bench/workerd-parts.ts needs the data set at ${DATA_DIR}`);
  Deno.exit(1);
}
const IMAGES = ['busi/benign/benign (1).png', 'busi/malignant/malignant (1).png', 'breast-lesions-usg/malignant/case005.png'];
const PARTS = ['multipart', 'seen', 'decode', 'unfilter', 'preprocess', 'stats', 'inference', 'pipeline'];
const K = Number(args.k);
const ROOT = new URL('..', import.meta.url).pathname;

// The project's wrangler.toml with the bench Worker as entry (bench/tmp/ is ignored by git).
await Deno.mkdir(`${ROOT}bench/tmp`, { recursive: true });
const configPath = `${ROOT}bench/tmp/wrangler-parts.toml`;
const toml = Deno.readTextFileSync(`${ROOT}wrangler.toml`).replace(/^main = .*$/m, 'main = "../workerd-parts-worker.ts"');
Deno.writeTextFileSync(configPath, toml);

const child = new Deno.Command('node', {
  args: ['scripts/workerd-serve.mjs', '--stop-on-stdin-close', '--config', configPath],
  cwd: ROOT,
  stdin: 'piped',
  stdout: 'piped',
  stderr: 'null',
}).spawn();
const bodies = await Promise.all(IMAGES.map(async (file) => {
  const { contentType: type, body } = await encodeForm(multipart([{ name: 'image', bytes: readData(file) }]));
  return { file, type, body };
}));
try {
  const { url, workerdPid: pid } = await workerdAnnouncement(child.stdout);
  const call = async (body: typeof bodies[number], part: string, k: number) => {
    const res = await rawPost(url, `/?part=${part}&k=${k}`, body.type, body.body);
    if (res.status !== 200) throw new Error(`${part} on ${body.file} answered ${res.status}: ${res.body.slice(0, 300)}`);
  };
  // Warm every part (model load, JIT, wasm tier-up), then let background compilation settle.
  for (const body of bodies) for (const part of PARTS) await call(body, part, 3);
  await new Promise((r) => setTimeout(r, 2000));
  const samples = bodies.map(() => ({ request: [] as number[], ...Object.fromEntries(PARTS.map((p) => [p, [] as number[]])) }));
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const [i, body] of bodies.entries()) {
      for (const part of PARTS) {
        let t = threadsCpuSeconds(pid);
        await call(body, part, 0);
        const base = threadsCpuSeconds(pid) - t;
        t = threadsCpuSeconds(pid);
        await call(body, part, K);
        (samples[i] as Record<string, number[]>)[part].push(((threadsCpuSeconds(pid) - t - base) / K) * 1000);
        samples[i].request.push(base * 1000);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const round2 = (x: number) => Math.round(x * 100) / 100;
  // An array with a dot-free key per image, so docs can pick one (scripts/docs-numbers.ts: images[key=…].decode).
  const perImage = bodies.map((b, i) => ({
    image: b.file,
    key: imageKey(b.file),
    ...Object.fromEntries(Object.entries(samples[i]).map(([part, xs]) => [part, round2(median(xs))])),
  }));
  const load = Deno.readTextFileSync('/proc/loadavg').split(' ').slice(0, 3).join(' ');
  const result = {
    command: ['deno run -A bench/workerd-parts.ts', ...Deno.args].join(' '),
    measuredAt: new Date().toISOString(),
    loadAverageAfter: load,
    repeats: K,
    rounds: Number(args.rounds),
    note: 'CPU ms of the workerd process per run of each part, repeated back to back (warm caches), median over rounds; request = one k = 0 request',
    images: perImage,
  };
  console.log(`workerd CPU ms per part (×${K} back to back, median of ${args.rounds} rounds; load ${load}):`);
  console.log(['image'.padEnd(44), ...['request', ...PARTS].map((h) => h.padStart(11))].join(''));
  for (const row of perImage) {
    const parts = row as unknown as Record<string, number>;
    console.log([row.image.padEnd(44), ...['request', ...PARTS].map((p) => String(parts[p]).padStart(11))].join(''));
  }
  if (args.json) await Deno.writeTextFile(args.json, JSON.stringify(result, null, 2) + '\n');
} finally {
  await child.stdin.getWriter().close().catch(() => {});
  await child.status;
}
