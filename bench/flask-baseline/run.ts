/**
 * `deno run -A bench/flask-baseline/run.ts`: /predict latency of this project's `deno serve` against the
 * original Flask + Keras API (bench/flask-baseline/app.py, rebuilt from ../shared/seed/README.md) on the
 * same machine, in one run, interleaved request by request (one request in flight), on a BUSI PNG (562×471) and a
 * BUS-BRA frame; first over keep-alive connections (the protocol), then over a fresh connection per
 * request (see post()). Writes bench/results/flask-baseline.json and prints a table.
 *
 * Needs python3 with tensorflow-cpu, flask, pillow and numpy: they are installed with pip into a venv at
 * $FLASK_BASELINE_VENV (default ~/.cache/breast-tumour-classifier/flask-baseline-venv) when missing. When that
 * cannot be done the script says why, writes the reason to the JSON and exits 0 (tests never need Python).
 * Flags: --requests=N per server and image (default 200), --out=PATH.
 */
import { parseArgs } from 'node:util';
import { type BenchImage, DATA_DIR, hasData } from '../images.ts';
import { rawPost } from '../../tests/workerd/launch.ts';
import { encodeForm, freePort, processCpuSeconds, startServer } from '../http.ts';
import { KeepAliveClient } from '../keep-alive.ts';
import { loadAverage, machine, summarize, type Summary } from '../stats.ts';

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/flask-baseline.json' },
  },
});
const requests = Number(flags.requests);
const here = new URL('.', import.meta.url).pathname;
const log = (message: string) => console.error(`[flask-baseline] ${message}`);
const VENV = Deno.env.get('FLASK_BASELINE_VENV') ?? `${Deno.env.get('HOME') ?? '/tmp'}/.cache/breast-tumour-classifier/flask-baseline-venv`;
const PACKAGES = ['tensorflow-cpu', 'flask', 'pillow', 'numpy'];

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { success, stdout, stderr } = await new Deno.Command(cmd, { args, stdout: 'piped', stderr: 'piped' }).output();
    return { ok: success, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

/** A python with the baseline's packages, installing them into the venv if needed; or why there is none. */
async function baselinePython(): Promise<{ python: string } | { reason: string }> {
  const python = `${VENV}/bin/python`;
  const check = ['-c', 'import tensorflow, flask, PIL, numpy'];
  if ((await run(python, check)).ok) return { python };
  const system = await run('python3', ['--version']);
  if (!system.ok) return { reason: `python3 not found (${system.output.trim()})` };
  log(`installing ${PACKAGES.join(' ')} into ${VENV} (pip; once)`);
  const venv = await run('python3', ['-m', 'venv', VENV]);
  if (!venv.ok) return { reason: `python3 -m venv failed: ${venv.output.trim().slice(-400)}` };
  const pip = await run(python, ['-m', 'pip', 'install', '--quiet', '--retries', '1', ...PACKAGES]);
  if (!pip.ok) return { reason: `pip install ${PACKAGES.join(' ')} failed: ${pip.output.trim().slice(-600)}` };
  const after = await run(python, check);
  return after.ok ? { python } : { reason: `packages installed but not importable: ${after.output.trim().slice(-400)}` };
}

async function writeResult(result: object): Promise<void> {
  await Deno.writeTextFile(flags.out, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${flags.out}`);
}

// The multipart body each image is sent as, encoded once (the encoding is the client's cost, not a server's).
const encoded = new Map<BenchImage, { contentType: string; body: Uint8Array }>();
async function encode(image: BenchImage) {
  if (!encoded.has(image)) {
    const form = new FormData();
    form.append('image', new File([image.bytes as Uint8Array<ArrayBuffer>], `${image.name}.png`, { type: 'image/png' }));
    encoded.set(image, await encodeForm(form));
  }
  return encoded.get(image)!;
}

/** How a request reaches a server: a connection kept open per server and image, or a fresh one each time. */
type Connection = 'keep-alive' | 'fresh';
const keepAlive = new Map<string, KeepAliveClient>();

/**
 * One request, written in one piece with TCP_NODELAY, timed from the write to the end of the reply. Keep-alive
 * (the issue's protocol) reuses one connection per server and image (bench/keep-alive.ts); a server that answers
 * `Connection: close` gets a new one. Fresh opens a connection per request (rawPost). Why not fetch(): its
 * keep-alive connection writes headers and body separately, and after the connection sat idle (here, while the
 * other server answered) Nagle and delayed ACK held the body's tail ~40 ms: our p50 for the 130 KB BUSI PNG read
 * ~50 ms against ~9 ms back to back, a client artefact that inflated both servers' latency.
 */
async function post(url: string, image: BenchImage, connection: Connection = 'fresh'): Promise<number> {
  const { contentType, body } = await encode(image);
  const key = `${url} ${image.name}`;
  if (connection === 'keep-alive' && !keepAlive.has(key)) keepAlive.set(key, new KeepAliveClient(url, '/predict', contentType, body));
  const started = performance.now();
  const status = connection === 'keep-alive'
    ? await keepAlive.get(key)!.send()
    : (await rawPost(url, '/predict', contentType, body)).status;
  if (status !== 200) throw new Error(`${url}/predict answered ${status}`);
  return performance.now() - started;
}

async function waitUntilAnswering(url: string, image: BenchImage, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await post(url, image);
      return;
    } catch (error) {
      if (performance.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const startedAt = new Date().toISOString();
const loadBefore = loadAverage();
const base = { date: startedAt, command: `deno run -A bench/flask-baseline/run.ts ${Deno.args.join(' ')}`.trim(), machine: machine() };
if (!hasData()) {
  log(`the shared data set is missing at ${DATA_DIR}; nothing to measure`);
  Deno.exit(0);
}
const found = await baselinePython();
if ('reason' in found) {
  log(`not run: ${found.reason}`);
  await writeResult({ ...base, skipped: found.reason });
  Deno.exit(0);
}

const busbraName = [...Deno.readDirSync(`${DATA_DIR}/bus-bra/malignant`)].map((e) => e.name).filter((n) => n.endsWith('.png')).sort()[0];
const images: BenchImage[] = [
  ['busi-png-562x471', `${DATA_DIR}/busi/benign/benign (1).png`],
  [`bus-bra-${busbraName.replace(/\.png$/, '')}`, `${DATA_DIR}/bus-bra/malignant/${busbraName}`],
].map(([name, path]) => ({ name, format: 'png' as const, width: 0, height: 0, bytes: Deno.readFileSync(path) }));

const flaskPort = freePort();
const flask = new Deno.Command(found.python, {
  args: [`${here}app.py`, String(flaskPort)],
  env: { TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' },
  stdout: 'null',
  stderr: 'null',
}).spawn();
const flaskUrl = `http://127.0.0.1:${flaskPort}`;
const { server: deno } = startServer(false);
interface Side {
  name: string;
  url: string;
  pid: number;
}
const sides: Side[] = [{ name: 'this project (deno serve)', url: deno.url, pid: deno.pid }, { name: 'original Flask + Keras (rebuilt)', url: flaskUrl, pid: flask.pid }];
const rows: { connection: Connection; image: string; server: string; latencyMs: Summary; serverCpuMsPerRequest: number }[] = [];
const connections: Connection[] = ['keep-alive', 'fresh'];
try {
  await Promise.all(sides.map((s) => waitUntilAnswering(s.url, images[0], 180_000)));
  log(`both servers answer; load average ${loadAverage().join(' ')}`);
  for (const connection of connections) {
    for (const image of images) {
      for (const side of sides) for (let i = 0; i < 10; i++) await post(side.url, image, connection);
      const samples = sides.map(() => [] as number[]);
      const cpu0 = sides.map((s) => processCpuSeconds(s.pid));
      // Interleaved, one request in flight: both servers see the same moments of machine load.
      for (let i = 0; i < requests; i++) {
        for (const [k, side] of sides.entries()) samples[k].push(await post(side.url, image, connection));
      }
      for (const [k, side] of sides.entries()) {
        const cpuMs = ((processCpuSeconds(side.pid) - cpu0[k]) * 1000) / requests;
        rows.push({ connection, image: image.name, server: side.name, latencyMs: summarize(samples[k]), serverCpuMsPerRequest: Math.round(cpuMs * 100) / 100 });
      }
      log(`${connection}, ${image.name} done`);
    }
  }
  for (const client of keepAlive.values()) client.close();
} finally {
  await deno.stop();
  try {
    flask.kill('SIGTERM');
  } catch { /* gone */ }
  await flask.status;
}

const ratios = connections.flatMap((connection) =>
  images.map((image) => {
    const [ours, original] = sides.map((s) => rows.find((r) => r.connection === connection && r.image === image.name && r.server === s.name)!);
    const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
    return {
      connection,
      image: image.name,
      p50Ratio: ratio(original.latencyMs.p50, ours.latencyMs.p50),
      // What our p50 would have to be for issue 17's 15× against this run's original.
      oursP50For15xMs: Math.round((original.latencyMs.p50 / 15) * 10) / 10,
      serverCpuRatio: ratio(original.serverCpuMsPerRequest, ours.serverCpuMsPerRequest),
    };
  })
);
const loadAfter = loadAverage();
await writeResult({
  ...base,
  loadAverage: { before: loadBefore, after: loadAfter },
  note: 'Wall-clock latency per request, client on the same machine; with loadAverage above the core count both ' +
    'sides are inflated. serverCpuMsPerRequest is the server process\'s CPU (all threads) ÷ requests.',
  requestsPerServerAndImage: requests,
  rows,
  ratios,
});
console.log('| connection | image | server | p50 ms | p95 ms | server CPU ms/request |');
console.log('|---|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.connection} | ${r.image} | ${r.server} | ${r.latencyMs.p50.toFixed(1)} | ${r.latencyMs.p95.toFixed(1)} | ${r.serverCpuMsPerRequest} |`);
for (const r of ratios) console.log(`${r.connection}, ${r.image}: original ÷ ours: p50 ${r.p50Ratio}×, server CPU per request ${r.serverCpuRatio}×`);
