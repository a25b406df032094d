/**
 * Workers numbers measured in local workerd (the `wrangler deploy --dry-run` bundle served by Miniflare on
 * 127.0.0.1): upload size, cold start, warm /predict latency and the runtime's memory for the largest
 * accepted images. Prints numbers; asserts nothing about time.
 *
 *   node_modules/.bin/deno run -A bench/workerd.ts [--runs 3] [--warm 50] [--var NAME=value …] [--json out.json]
 *
 * --var overrides a wrangler.toml [vars] entry (e.g. to try another MAX_PIXELS for the 128 MB isolate);
 * WORKERD_START_TIMEOUT_MS (tests/workerd/launch.ts) bounds how long a workerd start may take on a busy machine.
 *
 * Warm requests go through both of workerd's doors, alternating: Miniflare's entry worker (as `wrangler dev`
 * serves) and the direct socket (scripts/workerd-serve.mjs --direct), as a deployed Worker receives requests;
 * `warmPredict.direct` holds the latter's numbers.
 *
 * Cold start here = a fresh workerd process (the Worker's modules loaded and compiled) and then the first
 * /predict on the new isolate, which waits for the model to load. workerd runs on this machine's CPU, not on
 * Cloudflare's, and without Cloudflare's per-request CPU accounting: compare runs, not absolute promises.
 */
import { parseArgs } from 'node:util';
import { Image } from 'imagescript';
import { encodeForm, threadsCpuSeconds } from './http.ts';
import { imageKey } from './images.ts';
import { DATA_DIR, hasData, readData } from '../tests/fixtures/data.ts';
import { multipart } from '../tests/fixtures/images.ts';
import {
  rawPost,
  startWorkerd,
  waitReady,
  type WorkerdServer,
  wranglerVars,
} from '../tests/workerd/launch.ts';

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: 'string', default: '3' },
    warm: { type: 'string', default: '50' },
    var: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
  },
});
const overrides: Record<string, string> = Object.fromEntries(
  args.var.map((pair) => [pair.split('=')[0], pair.split('=').slice(1).join('=')]),
);
if (!hasData()) {
  console.error(`bench/workerd.ts needs the data set at ${DATA_DIR}`);
  Deno.exit(1);
}

const IMAGES = [
  'busi/benign/benign (1).png',
  'busi/malignant/malignant (1).png',
  'breast-lesions-usg/malignant/case005.png',
];
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** POSTs images to /predict; the multipart body is encoded before the clock starts. */
async function timedPost(url: string, bytes: Uint8Array[], query = '') {
  const { contentType, body } = await encodeForm(multipart(bytes.map((b) => ({ name: 'image', bytes: b }))));
  const started = performance.now();
  const res = await rawPost(url, `/predict${query}`, contentType, body);
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`/predict answered ${res.status}: ${res.body.slice(0, 300)}`);
  return { ms, body: JSON.parse(res.body) };
}

type Memory = { rssMiB: number; peakMiB: number } | null;

/** workerd's resident memory (MiB) now and at its peak since the last resetPeak(). */
function memory(pid: number | null): Memory {
  if (!pid) return null;
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: round(kb('VmRSS') / 1024), peakMiB: round(kb('VmHWM') / 1024) };
}
function resetPeak(pid: number | null): void {
  if (pid) Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, '5'); // 5 = reset the peak RSS counter
}

/** A PNG of exactly `pixels` pixels (a square-ish gradient), RGBA: the codec's most memory per pixel. */
async function pngWithPixels(pixels: number): Promise<Uint8Array> {
  const width = Math.floor(Math.sqrt(pixels));
  const height = Math.floor(pixels / width);
  const image = new Image(width, height);
  const data = image.bitmap;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = x & 255;
      data[i + 1] = y & 255;
      data[i + 2] = (x + y) & 255;
      data[i + 3] = 255;
    }
  }
  return await image.encode(1);
}

const images = IMAGES.map(readData);
const vars = { ...wranglerVars(), ...overrides };

// Cold starts: a new workerd each run; the very first request is a /predict.
const cold: { startMs: number; firstPredictMs: number; idle: Memory; afterFirst: Memory }[] = [];
let bundle = { bundleBytes: 0, bundleGzipBytes: 0 };
for (let run = 0; run < Number(args.runs); run++) {
  const worker = await startWorkerdWithoutTouchingIt();
  try {
    bundle = { bundleBytes: worker.bundleBytes, bundleGzipBytes: worker.bundleGzipBytes };
    const idle = memory(worker.workerdPid);
    const { ms } = await timedPost(worker.url, [images[0]]);
    cold.push({ startMs: worker.startMs, firstPredictMs: ms, idle, afterFirst: memory(worker.workerdPid) });
  } finally {
    await worker.stop();
  }
}

// Warm latency on one more workerd, through both of its doors: `url` passes Miniflare's entry worker (as
// `wrangler dev` serves), `directUrl` reaches the Worker straight away, as a deployed Worker receives requests.
// Requests alternate between the two, so a machine that speeds up or slows down moves both alike.
const worker = await startWorkerd({ vars: overrides, direct: true });
const PATHS = ['entry', 'direct'] as const;
type PathName = typeof PATHS[number];
const latencies: number[] = [];
const directLatencies: number[] = [];
const explain: number[] = [];
const stages = { decode: [] as number[], preprocess: [] as number[], inference: [] as number[] };
// workerd CPU ms of each request, per door and image; and per /health request, per door.
const cpuMs = Object.fromEntries(PATHS.map((p) => [p, IMAGES.map(() => [] as number[])])) as Record<PathName, number[][]>;
const healthMs = Object.fromEntries(PATHS.map((p) => [p, [] as number[]])) as Record<PathName, number[]>;
let measured = false;
try {
  await waitReady(worker.url);
  const urls: Record<PathName, string> = { entry: worker.url, direct: worker.directUrl! };
  // Warm every code path, then pause: V8 recompiles hot wasm/JS on background threads for a while after the
  // first requests, and that one-off CPU would otherwise be billed to the measured requests.
  for (let i = 0; i < 20; i++) for (const p of PATHS) await timedPost(urls[p], [images[i % images.length]]);
  await new Promise((r) => setTimeout(r, 2000));
  const pid = worker.workerdPid;
  // Requests run one at a time, so each one's CPU delta belongs to it.
  const cpuOf = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const before = pid ? threadsCpuSeconds(pid) : NaN;
    const out = await f();
    return [out, pid ? (threadsCpuSeconds(pid) - before) * 1000 : NaN];
  };
  // What any request costs without the pipeline: a new TCP connection, HTTP parsing, (entry) Miniflare's
  // own entry worker, and the Hono app answering /health.
  for (let i = 0; i < Number(args.warm); i++) {
    for (const p of PATHS) healthMs[p].push((await cpuOf(() => rawGet(urls[p], '/health')))[1]);
  }
  for (let i = 0; i < Number(args.warm); i++) {
    const k = i % images.length;
    for (const p of PATHS) {
      const [{ ms, body }, spent] = await cpuOf(() => timedPost(urls[p], [images[k]]));
      cpuMs[p][k].push(spent);
      (p === 'entry' ? latencies : directLatencies).push(ms);
      if (p === 'entry') for (const key of Object.keys(stages) as (keyof typeof stages)[]) stages[key].push(body.timings[key]);
    }
  }
  measured = pid !== null;
  for (let i = 0; i < 10; i++) {
    explain.push((await timedPost(worker.url, [images[i % images.length]], '?explain=true')).ms);
  }
} finally {
  await worker.stop();
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The workerd CPU numbers of one door: per PNG request (all images), per image (mean, median), per /health. */
function cpuSummary(p: PathName) {
  if (!measured) {
    return { workerdCpuMsPerPngRequest: null, workerdCpuMsPerImage: null, workerdCpuMsPerImageMedian: null, workerdCpuMsPerHealthRequest: null, perImage: null };
  }
  // Per image (the BrEaST frame is an 831 × 538 RGBA PNG: 1.8 MB to inflate, 3× a BUSI frame); the median
  // request is less swayed than the mean by a request that other processes slowed down.
  const perImage = IMAGES.map((name, i) => ({
    image: name,
    key: imageKey(name),
    cpuMsMean: round(mean(cpuMs[p][i]), 2),
    cpuMsMedian: round(median(cpuMs[p][i]), 2),
  }));
  return {
    workerdCpuMsPerPngRequest: round(mean(cpuMs[p].flat()), 2),
    // The same per image keyed by file name, as runs before perImage wrote them.
    workerdCpuMsPerImage: Object.fromEntries(perImage.map((r) => [r.image, r.cpuMsMean])),
    workerdCpuMsPerImageMedian: Object.fromEntries(perImage.map((r) => [r.image, r.cpuMsMedian])),
    workerdCpuMsPerHealthRequest: round(mean(healthMs[p]), 2),
    // With a dot-free key, so docs can pick one (scripts/docs-numbers.ts: perImage[key=…]).
    perImage,
  };
}
const entryCpu = cpuSummary('entry');
const directCpu = cpuSummary('direct');

// The largest accepted requests, each on a fresh workerd so garbage from earlier requests does not count:
// one image of MAX_PIXELS, then MAX_IMAGES_PER_REQUEST of them. Peak RSS is measured from just before the
// request; "idle" is workerd with the Worker's modules loaded and compiled but no request served yet.
const maxPixels = Number(vars.MAX_PIXELS ?? 8_000_000);
const maxImages = Number(vars.MAX_IMAGES_PER_REQUEST ?? 16);
const largest = await pngWithPixels(maxPixels);
async function largestRequest(count: number) {
  const fresh = await startWorkerdWithoutTouchingIt();
  try {
    const idle = memory(fresh.workerdPid);
    await timedPost(fresh.url, [images[0]]); // loads the model
    const before = memory(fresh.workerdPid);
    resetPeak(fresh.workerdPid);
    // A synthetic gradient is not an ultrasound: check=off keeps the input gate from refusing it before decoding.
    const { ms } = await timedPost(fresh.url, Array.from({ length: count }, () => largest), '?check=off');
    const after = memory(fresh.workerdPid);
    return {
      images: count,
      pixelsEach: maxPixels,
      pngBytesEach: largest.length,
      ms: round(ms),
      idleMiB: idle?.rssMiB,
      beforeMiB: before?.rssMiB,
      peakMiB: after?.peakMiB,
      addedByRequestMiB: after && before ? round(after.peakMiB - before.rssMiB) : null,
      peakAboveIdleMiB: after && idle ? round(after.peakMiB - idle.rssMiB) : null,
      isolateEstimateMiB: after && emptyMiB !== null ? round(after.peakMiB - emptyMiB) : null,
    };
  } finally {
    await fresh.stop();
  }
}
// The same workerd serving an empty Worker: what the runtime itself holds, so the rest is the isolate's.
async function emptyWorkerdMiB(): Promise<number | null> {
  const script = `
    import { Miniflare } from 'miniflare';
    import { readFileSync, readdirSync } from 'node:fs';
    const mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response("ok") }',
      compatibilityDate: '2025-01-01', cf: false, host: '127.0.0.1', port: 0 });
    await (await fetch(await mf.ready)).text();
    let rss = null;
    for (const e of readdirSync('/proc').filter((e) => /^\\d+$/.test(e))) {
      try {
        const stat = readFileSync('/proc/' + e + '/stat', 'utf8');
        if (stat.includes('(workerd)') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) {
          rss = Number(/^VmRSS:\\s+(\\d+)/m.exec(readFileSync('/proc/' + e + '/status', 'utf8'))[1]) / 1024;
        }
      } catch {}
    }
    await mf.dispose();
    console.log(JSON.stringify({ rss }));`;
  const out = await new Deno.Command('node', {
    args: ['--input-type=module', '-e', script],
    cwd: new URL('..', import.meta.url).pathname,
    stdout: 'piped',
    stderr: 'null',
  }).output();
  const rss = JSON.parse(new TextDecoder().decode(out.stdout).trim().split('\n').pop() || '{}').rss;
  return typeof rss === 'number' ? round(rss) : null;
}
const emptyMiB = await emptyWorkerdMiB();

const oneLargest = await largestRequest(1);
const allLargest = maxImages > 1 ? await largestRequest(maxImages) : null;

const result = {
  command: ['deno run -A bench/workerd.ts', ...Deno.args].join(' '),
  bundle: {
    ...bundle,
    bundleMiB: round(bundle.bundleBytes / 2 ** 20, 2),
    gzipMiB: round(bundle.bundleGzipBytes / 2 ** 20, 2),
  },
  coldStart: {
    runs: cold.length,
    workerdStartMsMedian: cold.length ? median(cold.map((c) => c.startMs)) : null,
    firstPredictMsMedian: cold.length ? round(median(cold.map((c) => c.firstPredictMs))) : null,
    firstPredictMs: cold.map((c) => round(c.firstPredictMs)),
  },
  warmPredict: {
    requests: latencies.length,
    images: IMAGES,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    stageMedianMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
    explainP50Ms: round(percentile(explain, 50)),
    // workerd process CPU (runtime + isolate, all threads) per warm request through Miniflare's entry worker.
    ...entryCpu,
    // The PNG request's CPU above a /health request's: the part the Worker's own code spends on a prediction.
    workerdCpuMsPerPngRequestAboveHealth: measured ? round(entryCpu.workerdCpuMsPerPngRequest! - entryCpu.workerdCpuMsPerHealthRequest!, 2) : null,
    // The same requests straight to the Worker (no Miniflare entry worker), alternating with the ones above: the
    // closest local stand-in for the CPU time Workers bills and limits (10 ms on the free plan), which still
    // counts the runtime's HTTP parsing here.
    direct: {
      p50Ms: round(percentile(directLatencies, 50)),
      ...directCpu,
      workerdCpuMsPerPngRequestAboveHealth: measured ? round(directCpu.workerdCpuMsPerPngRequest! - directCpu.workerdCpuMsPerHealthRequest!, 2) : null,
    },
  },
  memory: {
    limits: { maxPixels, maxImagesPerRequest: maxImages },
    emptyWorkerdMiB: emptyMiB,
    idleMiBMedian: cold.length ? median(cold.map((c) => c.idle?.rssMiB ?? NaN)) : null,
    afterFirstPredictMiBMedian: cold.length ? median(cold.map((c) => c.afterFirst?.rssMiB ?? NaN)) : null,
    largestImage: oneLargest,
    largestRequest: allLargest,
    note:
      'RSS of the whole workerd process (runtime + one isolate), MiB; includes garbage V8 has not collected ' +
      "yet. isolateEstimateMiB = peak minus an empty Worker's workerd (the runtime itself), against the 128 MB limit.",
  },
};
console.log(JSON.stringify(result, null, 2));
if (args.json) {
  Deno.mkdirSync(new URL('.', `file://${Deno.cwd()}/${args.json}`), { recursive: true });
  Deno.writeTextFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
}

/** A GET over the same kind of one-request connection as timedPost. */
async function rawGet(url: string, path: string): Promise<void> {
  const res = await fetch(new URL(path, url), { headers: { connection: 'close' } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
}

/** startWorkerd waits for /health, which would start the model load before the timed /predict: avoid it. */
async function startWorkerdWithoutTouchingIt(): Promise<WorkerdServer> {
  return await startWorkerd({ vars: overrides, probe: false });
}
