/**
 * Memory of the real server over a long run: starts `deno serve src/deno.ts` (the serve task's permissions, a free
 * port, the shipped model), sends the same request again and again over one keep-alive connection
 * (bench/keep-alive.ts) and every --every requests reads the process's RSS from /proc/<pid>/status (VmRSS,
 * RssAnon, thread count) and its V8 heap and tfjs tensors from /debug/memory (EXPOSE_MEMORY=1; no forced GC).
 * A bounded process levels off; a leak keeps climbing. Each case is its own server process. A case is a request
 * kind, optionally with environment variables for the server after `+` (e.g. `predict+MALLOC_ARENA_MAX=2`):
 *
 *   predict  the typical BUSI PNG (bench/images.ts) as a multipart upload → 200
 *   bad      the same PNG cut to half its bytes → 4xx (decoding fails)
 *   health   GET /health (routing and middleware only)
 *
 * Prints one JSON line per sample; --json keeps them all. Linux only (/proc).
 *
 *   deno run -A bench/serve-memory.ts [--requests 20000] [--every 2000] [--cases predict,bad,health] [--json FILE]
 */
import { parseArgs } from 'node:util';
import { encodeForm, startServer } from './http.ts';
import { benchImages, hasData } from './images.ts';
import { KeepAliveClient } from './keep-alive.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    every: { type: 'string', default: '2000' },
    cases: { type: 'string', default: 'predict,bad,health' },
    json: { type: 'string' },
  },
});
const requests = Number(values.requests), every = Number(values.every);
if (!hasData()) throw new Error('the shared data set is missing (DATA_DIR or ../shared/data)');

/** One sample of the server's memory. */
interface Sample {
  done: number;
  rssMb: number;
  rssAnonMb: number;
  threads: number;
  heapUsedMb: number;
  tensors: number;
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;

/** VmRSS, RssAnon (kB → MB) and the thread count of a process, from /proc/<pid>/status. */
function procStatus(pid: number): { rssMb: number; rssAnonMb: number; threads: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rssMb: mb(field('VmRSS')), rssAnonMb: mb(field('RssAnon')), threads: field('Threads') };
}

/** The request a case sends and the statuses it must get. */
async function caseRequest(
  kind: string,
  url: string,
): Promise<{ client: KeepAliveClient; ok: (status: number) => boolean }> {
  const [png] = await benchImages();
  const upload = async (bytes: Uint8Array) => {
    const form = new FormData();
    form.append('image', new File([bytes as Uint8Array<ArrayBuffer>], 'image.png', { type: 'image/png' }));
    const { contentType, body } = await encodeForm(form);
    return new KeepAliveClient(url, '/predict', contentType, body);
  };
  if (kind === 'predict') return { client: await upload(png.bytes), ok: (s) => s === 200 };
  if (kind === 'bad') {
    return {
      client: await upload(png.bytes.subarray(0, png.bytes.length >> 1)),
      ok: (s) => s >= 400 && s < 500,
    };
  }
  if (kind === 'health') {
    return {
      client: new KeepAliveClient(url, '/health', 'text/plain', new Uint8Array(), 'GET'),
      ok: (s) => s === 200,
    };
  }
  throw new Error(`unknown case ${kind} (predict, bad, health)`);
}

async function runCase(
  spec: string,
): Promise<{ env: Record<string, string>; statuses: Record<string, number>; samples: Sample[] }> {
  const [kind, ...assignments] = spec.split('+');
  const env = Object.fromEntries(
    assignments.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
  const { server } = startServer(false, { ...env, EXPOSE_MEMORY: '1' });
  try {
    await server.isolatesReady(1);
    const { client, ok } = await caseRequest(kind, server.url);
    const samples: Sample[] = [];
    const sample = async (done: number) => {
      const debug = await (await fetch(`${server.url}/debug/memory`)).json() as {
        heapUsed: number;
        tensors: number;
      };
      const s = {
        done,
        ...procStatus(server.pid),
        heapUsedMb: mb(debug.heapUsed / 1024),
        tensors: debug.tensors,
      };
      console.log(JSON.stringify({ case: spec, ...s }));
      samples.push(s);
    };
    const statuses: Record<string, number> = {};
    await sample(0);
    for (let done = 0; done < requests; done += every) {
      for (let i = 0; i < every; i++) {
        const status = await client.send();
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (!ok(status)) throw new Error(`case ${spec}: unexpected status ${status}`);
      }
      await sample(done + every);
    }
    client.close();
    return { env, statuses, samples };
  } finally {
    await server.stop();
  }
}

const cases: Record<string, unknown> = {};
for (const spec of values.cases.split(',')) {
  const { env, statuses, samples } = await runCase(spec);
  // The first sample after start-up traffic (warm) and the last, for the documents; every sample too.
  cases[spec] = { env, statuses, start: samples[0], warm: samples[1], end: samples.at(-1), samples };
}
if (values.json) {
  const command =
    `deno run -A bench/serve-memory.ts --requests ${requests} --every ${every} --cases ${values.cases}`;
  const result = { date: new Date().toISOString(), command, deno: Deno.version.deno, requests, every, cases };
  await Deno.writeTextFile(values.json, JSON.stringify(result, null, 2) + '\n');
}
