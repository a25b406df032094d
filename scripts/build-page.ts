/** Embeds static/page/* into src/page/assets.ts so Deno and Workers serve the page without a file system.
 * Run: deno run --allow-read --allow-write scripts/build-page.ts (tests/page checks the module is current). */
import { renderAssets } from '../src/page/render.ts';

const dir = new URL('../static/page/', import.meta.url);
Deno.writeTextFileSync(new URL('../src/page/assets.ts', import.meta.url), renderAssets((n) => Deno.readTextFileSync(new URL(n, dir))));
