/** End-to-end HTTP measurements against a real `deno serve` process: latency under load, CPU per request,
 * and cold start (process start → first /predict answer). Linux only for the server CPU time (/proc). */
import process from 'node:process';
import type { BenchImage } from './images.ts';
import { KeepAliveClient } from './keep-alive.ts';
import { type Summary, summarize } from './stats.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const DENO = Deno.execPath();

/** A running server. */
export interface Server {
  url: string;
  pid: number;
  /** Resolves once `count` isolates have logged their ready event (the model loaded, the port long bound). */
  isolatesReady(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `deno serve` (with --parallel when asked) on a free port; resolves once it is spawned. */
export function startServer(parallel: boolean, env: Record<string, string> = {}): { server: Server; spawnedAt: number } {
  const port = freePort();
  const args = ['serve', '--allow-read', '--allow-env', '--allow-net', '--host', '127.0.0.1', '--port', String(port)];
  if (parallel) args.push('--parallel');
  args.push('src/deno.ts');
  const spawnedAt = performance.now();
  // PORT is cleared: src/deno.ts honours it over --port.
  const child = new Deno.Command(DENO, { args, cwd: ROOT, env: { PORT: '', ...env }, stdout: 'piped', stderr: 'null' }).spawn();
  // stdout is drained for the whole run (a full pipe would stall the server) and only ready events are counted.
  let ready = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  (async () => {
    let pending = '';
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      ready += lines.filter((line) => line.includes('"event":"ready"')).length;
      for (const w of waiting.filter((w) => ready >= w.count)) w.resolve();
    }
  })().catch(() => {});
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    isolatesReady: (count) => ready >= count ? Promise.resolve() : new Promise((resolve) => void waiting.push({ count, resolve })),
    async stop() {
      try {
        child.kill('SIGTERM');
      } catch { /* already gone */ }
      await child.status;
    },
  };
  return { server, spawnedAt };
}

function form(image: BenchImage): FormData {
  const body = new FormData();
  const type = image.format === 'png' ? 'image/png' : 'image/jpeg';
  body.append('image', new File([image.bytes as Uint8Array<ArrayBuffer>], `${image.name}.${image.format}`, { type }));
  return body;
}

/** A multipart form encoded once into the bytes and content type a client sends (encoding is the client's cost). */
export async function encodeForm(form: FormData): Promise<{ contentType: string; body: Uint8Array<ArrayBuffer> }> {
  const request = new Request('http://encode/', { method: 'POST', body: form });
  return { contentType: request.headers.get('content-type')!, body: new Uint8Array(await request.arrayBuffer()) };
}

/** POSTs the image to /predict; resolves with the status (the body is read so the connection is reused). */
export async function predict(url: string, image: BenchImage, timeoutMs = 30_000): Promise<number> {
  const response = await fetch(`${url}/predict`, { method: 'POST', body: form(image), signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}

/** Polls /predict with the image until it answers 200; resolves with the time that happened. */
export async function waitForFirstAnswer(url: string, image: BenchImage, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      // A short per-try timeout: a --parallel server can accept a connection on an isolate still starting.
      if ((await predict(url, image, 1000)) === 200) return performance.now();
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no 200 from ${url}/predict within ${timeoutMs} ms`);
}

/** CPU seconds (user + system, all threads) a process has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of a process's live threads, in nanoseconds' resolution (/proc/<pid>/task/<tid>/schedstat): for
 * per-request deltas of a few ms, where processCpuSeconds' 10 ms ticks make every single delta 0 or 10 ms. Threads
 * that exited are not counted (workerd's and Deno's worker threads live as long as the process).
 */
/** CPU seconds of each live thread of a process, by thread id (/proc/<pid>/task/<tid>/schedstat). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      out.set(task.name, Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(' ')[0]) / 1e9);
    } catch { /* the thread ended */ }
  }
  return out;
}

export function threadsCpuSeconds(pid: number): number {
  return [...threadCpuSeconds(pid).values()].reduce((sum, s) => sum + s, 0);
}

/** One load run's results. */
export interface LoadResult {
  mode: 'single' | 'parallel';
  image: string;
  concurrency: number;
  seconds: number;
  requests: number;
  errors: number;
  throughputPerSecond: number;
  latency: Summary;
  /** Server process CPU time ÷ requests answered (user + system, every thread of the server). */
  serverCpuMsPerRequest: number;
  /** The load generator's own CPU share (it runs on the same two cores). */
  clientCpuMsPerRequest: number;
}

/**
 * Keeps `concurrency` requests in flight for `seconds` (after a 1 s warm-up at the same concurrency), each on its
 * own keep-alive connection, and records each request's latency.
 */
export async function loadRun(
  server: Server,
  mode: 'single' | 'parallel',
  image: BenchImage,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  // Keep-alive connections, one per request in flight, each sending the same bytes (bench/keep-alive.ts).
  const { contentType, body } = await encodeForm(form(image));
  const clients = Array.from({ length: concurrency }, () => new KeepAliveClient(server.url, '/predict', contentType, body));
  const run = async (ms: number, record: number[] | null) => {
    const until = performance.now() + ms;
    let errors = 0;
    await Promise.all(clients.map(async (client, i) => {
      // Connections open one by one, as a client pool ramps up: `deno serve --parallel` shares one listening
      // socket among its isolates and whichever is idle accepts, so 8 connections opened at once all went to
      // one isolate (bench/parallel.ts saw one busy thread); opened while the first requests are being
      // answered, they spread over the isolates. (Only the warm-up opens connections; the run reuses them.)
      if (record === null) await new Promise((resolve) => setTimeout(resolve, i * 5));
      while (performance.now() < until) {
        const t = performance.now();
        const status = await client.send().catch(() => 0);
        if (status !== 200) errors++;
        else record?.push(performance.now() - t);
      }
    }));
    return errors;
  };
  await run(1000, null);
  const latencies: number[] = [];
  const serverCpu0 = processCpuSeconds(server.pid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const errors = await run(seconds * 1000, latencies);
  const elapsed = (performance.now() - t0) / 1000;
  const serverCpu = processCpuSeconds(server.pid) - serverCpu0;
  const clientCpu = process.cpuUsage(clientCpu0);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  for (const client of clients) client.close();
  return {
    mode,
    image: image.name,
    concurrency,
    seconds: round(elapsed),
    requests: latencies.length,
    errors,
    throughputPerSecond: round(latencies.length / elapsed),
    latency: summarize(latencies),
    serverCpuMsPerRequest: round((serverCpu * 1000) / Math.max(1, latencies.length)),
    clientCpuMsPerRequest: round((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, latencies.length)),
  };
}

/** Cold start: spawn → first 200 from /predict, `repeats` fresh processes. */
export async function coldStart(parallel: boolean, image: BenchImage, repeats: number): Promise<{ mode: string; samples: number[]; summary: Summary }> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { server, spawnedAt } = startServer(parallel);
    try {
      samples.push(Math.round((await waitForFirstAnswer(server.url, image)) - spawnedAt));
    } finally {
      await server.stop();
    }
  }
  return { mode: parallel ? 'parallel' : 'single', samples, summary: summarize(samples) };
}

/** The first line scripts/workerd-serve.mjs prints ({ url, workerdPid, … }), read from its stdout. */
export async function workerdAnnouncement(stdout: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<{ url: string; workerdPid: number }> {
  const lines = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await lines.read();
    if (done) throw new Error('workerd-serve.mjs exited before announcing its URL');
    text += value;
  }
  return JSON.parse(text.split('\n')[0]);
}
