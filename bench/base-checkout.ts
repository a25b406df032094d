/** An earlier commit's src/ for A/B benches (bench/ab.ts, bench/cold-start.ts --base). */

/**
 * `git archive`s REV's src/ into a temporary folder beside this checkout's package.json, deno.json and (linked)
 * node_modules, so it resolves the same packages. The caller removes the folder.
 */
export async function checkoutBase(rev: string, root: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: 'bench-ab-' });
  const archive = await new Deno.Command('git', { args: ['archive', '--format=tar', rev, 'src'], cwd: root, stdout: 'piped', stderr: 'piped' }).output();
  if (!archive.success) throw new Error(`git archive ${rev}: ${new TextDecoder().decode(archive.stderr)}`);
  const tar = new Deno.Command('tar', { args: ['-x', '-C', dir], stdin: 'piped' }).spawn();
  const writer = tar.stdin.getWriter();
  await writer.write(archive.stdout);
  await writer.close();
  if (!(await tar.status).success) throw new Error('tar failed');
  for (const file of ['package.json', 'deno.json']) await Deno.copyFile(`${root}${file}`, `${dir}/${file}`);
  await Deno.symlink(`${root}node_modules`, `${dir}/node_modules`);
  return dir;
}
