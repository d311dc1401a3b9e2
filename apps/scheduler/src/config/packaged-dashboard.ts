import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The dashboard built beside this scheduler: web/dist of the `flowctl` package it runs from (the
 * npm package, or a checkout after `npm run build`). Undefined when there is none.
 */
export function packagedDashboard(from: string = __dirname): string | undefined {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name !== 'flowctl') continue;
    const webRoot = join(dir, 'web', 'dist');
    return existsSync(join(webRoot, 'index.html')) ? webRoot : undefined;
  }
  return undefined;
}
