/** PORT (container platforms set it) is honoured by `deno serve src/deno.ts`; DENO_SERVE_ADDRESS still wins. */
import assert from 'node:assert/strict';
import { serveAddressFromEnv } from '../../src/config.ts';
import { freePort } from '../fixtures/server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

Deno.test('PORT becomes the serve address unless DENO_SERVE_ADDRESS is set; a bad PORT is refused', () => {
  assert.equal(serveAddressFromEnv({}), undefined);
  assert.equal(serveAddressFromEnv({ PORT: '' }), undefined);
  assert.equal(serveAddressFromEnv({ PORT: '8080' }), 'tcp:0.0.0.0:8080');
  assert.equal(serveAddressFromEnv({ PORT: '8080', DENO_SERVE_ADDRESS: 'tcp:127.0.0.1:9000' }), undefined);
  for (const bad of ['0', '65536', 'http', '80.5', '-1']) assert.throws(() => serveAddressFromEnv({ PORT: bad }), /PORT must be a port number/);
});

Deno.test('the real server listens on PORT when no address is given', async () => {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ['serve', '--allow-read', '--allow-env', '--allow-net', '--deny-write', 'src/deno.ts'],
    cwd: ROOT,
    env: { PORT: String(port), DENO_SERVE_ADDRESS: '' },
    stdout: 'null',
    stderr: 'piped',
  }).spawn();
  try {
    let status = 0;
    for (let i = 0; i < 300 && status !== 200; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        await res.body?.cancel();
        status = res.status;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(status, 200, `no answer on PORT=${port}`);
  } finally {
    child.kill('SIGTERM');
    await child.status;
    await child.stderr.cancel();
  }
});
