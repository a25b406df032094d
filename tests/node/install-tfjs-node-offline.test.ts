/** scripts/install-tfjs-node-offline.sh builds a working tfjs-node binding from a tensorflow-cpu wheel, with no
 * download of libtensorflow. It runs on a copy of the package in a temporary project (the real node_modules is
 * never touched) and is skipped when no wheel can be had (set TF_WHEEL, or a pip index must serve it). */
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = process.env.TF_WHEEL_VERSION ?? '2.21.0';

/** A wheel to build from: TF_WHEEL, the script's cache, or one fetched with pip from the configured index. */
function findWheel(scratch: string): string | undefined {
  if (process.env.TF_WHEEL && existsSync(process.env.TF_WHEEL)) return process.env.TF_WHEEL;
  const cache = process.env.TFJS_OFFLINE_CACHE ?? join(process.env.HOME ?? '/root', '.cache/breast-tumour-classifier');
  const cached = existsSync(cache) ? readdirSync(cache).find((f) => f.startsWith(`tensorflow_cpu-${VERSION}-`)) : undefined;
  if (cached) return join(cache, cached);
  const pip = spawnSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', scratch, `tensorflow-cpu==${VERSION}`], { timeout: 300_000, stdio: 'ignore' });
  const fetched = pip.status === 0 ? readdirSync(scratch).find((f) => f.endsWith('.whl')) : undefined;
  return fetched && join(scratch, fetched);
}

test('install-tfjs-node-offline.sh builds a binding that computes, from a local wheel', { timeout: 900_000 }, async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'tfjs-offline-'));
  try {
    const wheel = findWheel(join(scratch, 'wheels'));
    if (!wheel) {
      t.skip(`no tensorflow-cpu ${VERSION} wheel (set TF_WHEEL, or make pip able to download it)`);
      return;
    }
    // A throw-away project: the script, a fresh copy of tfjs-node without its binding or libtensorflow, and
    // links to every other installed package.
    const project = join(scratch, 'project');
    mkdirSync(join(project, 'scripts'), { recursive: true });
    cpSync(join(ROOT, 'scripts/install-tfjs-node-offline.sh'), join(project, 'scripts/install-tfjs-node-offline.sh'));
    const modules = join(ROOT, 'node_modules');
    mkdirSync(join(project, 'node_modules/@tensorflow'), { recursive: true });
    for (const entry of readdirSync(modules)) {
      if (entry !== '@tensorflow') symlinkSync(join(modules, entry), join(project, 'node_modules', entry));
    }
    for (const entry of readdirSync(join(modules, '@tensorflow'))) {
      if (entry !== 'tfjs-node') symlinkSync(join(modules, '@tensorflow', entry), join(project, 'node_modules/@tensorflow', entry));
    }
    const pkg = join(project, 'node_modules/@tensorflow/tfjs-node');
    cpSync(join(modules, '@tensorflow/tfjs-node'), pkg, {
      recursive: true,
      filter: (src) => !/\/tfjs-node\/(deps|lib|build|build-tmp[^/]*)(\/|$)/.test(src),
    });
    assert.ok(!existsSync(join(pkg, 'deps')) && !existsSync(join(pkg, 'lib')), 'the copy starts without libtensorflow and binding');

    const out = execFileSync('bash', [join(project, 'scripts/install-tfjs-node-offline.sh'), wheel], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, FORCE: '1', TFJS_OFFLINE_CACHE: join(scratch, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(out, /tfjs-node OK, backend tensorflow/);
    assert.ok(existsSync(join(pkg, 'deps/lib/libtensorflow.so')), 'libtensorflow taken from the wheel');
    // The built binding really runs a graph: a matrix product computed by libtensorflow.
    const product = execFileSync(process.execPath, ['-e', "const tf=require('@tensorflow/tfjs-node');console.log(tf.matMul([[1,2],[3,4]],[[5],[6]]).dataSync().join(','))"], { cwd: project, encoding: 'utf8' });
    assert.equal(product.trim(), '17,39');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
