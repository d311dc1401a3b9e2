import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout this CLI runs from (built or not): where dist/, examples/ and web/ are. */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'flowctl') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the flowctl checkout above ${from}`);
  }
}
