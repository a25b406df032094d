/**
 * `deno run -A bench/workerd-profile.ts`: a V8 CPU profile of the Worker serving warm /predict requests in local
 * workerd (scripts/workerd-serve.mjs --inspector-port, the DevTools protocol's Profiler), to see where a request's
 * CPU goes on Workers: tfjs's wasm kernels (`wasm-function[…]`), DecompressionStream (`write`/`read`, native),
 * and the JavaScript of the bundle (minified names; open the profile in Chrome DevTools → Performance to browse).
 * The sampler records wall time of the isolate's thread, so on a busy machine every entry is inflated alike:
 * read shares, not milliseconds. Prints the functions with the most self time and writes the .cpuprofile.
 * Flags: --image=PATH under the data folder (default the BUSI bench frame), --requests=N (default 40),
 * --interval=µs (sampling interval, default 1000), --port=N (inspector port, default 9229), --out=PATH.
 */
import { parseArgs } from 'node:util';
import { DATA_DIR, hasData, readData } from '../tests/fixtures/data.ts';
import { multipart } from '../tests/fixtures/images.ts';
import { rawPost } from '../tests/workerd/launch.ts';
import { encodeForm, workerdAnnouncement } from './http.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    image: { type: 'string', default: 'busi/benign/benign (1).png' },
    requests: { type: 'string', default: '40' },
    interval: { type: 'string', default: '1000' },
    port: { type: 'string', default: '9229' },
    out: { type: 'string', default: '/tmp/workerd-predict.cpuprofile' },
  },
});
if (!hasData()) {
  console.error(`bench/workerd-profile.ts needs the data set at ${DATA_DIR}`);
  Deno.exit(1);
}
const requests = Number(flags.requests);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal DevTools-protocol client over the inspector's WebSocket. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let id = 0;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  };
  return {
    send: (method: string, params: object = {}) =>
      new Promise<Record<string, unknown>>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

const child = new Deno.Command('node', {
  args: ['scripts/workerd-serve.mjs', '--stop-on-stdin-close', '--inspector-port', flags.port],
  cwd: new URL('..', import.meta.url).pathname,
  stdin: 'piped',
  stdout: 'piped',
  stderr: 'null',
}).spawn();
try {
  const { url } = await workerdAnnouncement(child.stdout);
  const { contentType: type, body } = await encodeForm(multipart([{ name: 'image', bytes: readData(flags.image) }]));
  const post = async () => {
    const res = await rawPost(url, '/predict', type, body);
    if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
  };
  for (let i = 0; i < 30; i++) await post(); // warm: model load, kernel set-up, JIT and wasm tier-up
  await new Promise((r) => setTimeout(r, 2000));
  // Miniflare runs helper workers too; the app is the user worker.
  const targets = await (await fetch(`http://127.0.0.1:${flags.port}/json`)).json() as { title?: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => (t.title ?? '').includes('core:user')) ?? targets[0];
  const inspector = await connect(target.webSocketDebuggerUrl);
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: Number(flags.interval) });
  await inspector.send('Profiler.start');
  for (let i = 0; i < requests; i++) await post();
  const { profile } = await inspector.send('Profiler.stop') as { profile: Profile };
  inspector.close();
  await Deno.writeTextFile(flags.out, JSON.stringify(profile));

  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((sample, i) => {
    const { functionName, url: file, lineNumber, columnNumber } = nodes.get(sample)!.callFrame;
    const key = `${functionName || '(anonymous)'}${file ? ` ${file.split('/').pop()}:${lineNumber}:${columnNumber}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...self.entries()].filter(([k]) => k !== '(idle)');
  const total = busy.reduce((s, [, v]) => s + v, 0);
  const share = (pick: (k: string) => boolean) => busy.filter(([k]) => pick(k)).reduce((s, [, v]) => s + v, 0) / total;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(`${flags.image}, ${requests} requests, busy samples by self time (idle left out):`);
  console.log(`  wasm (tfjs kernels, codecs) ${pct(share((k) => k.startsWith('wasm-function')))}, ` +
    `DecompressionStream write/read ${pct(share((k) => k === 'write' || k === 'read'))}, ` +
    `garbage collection ${pct(share((k) => k.startsWith('(garbage')))}`);
  for (const [key, v] of busy.sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v / total).padStart(8)}  ${key}`);
  console.log(`wrote ${flags.out} (open it in Chrome DevTools → Performance)`);
} finally {
  await child.stdin.getWriter().close().catch(() => {});
  await child.status;
}
