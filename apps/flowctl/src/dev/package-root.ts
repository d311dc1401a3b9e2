import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** This CLI is not inside a `flowctl` package: a broken install or a file copied out of one. */
export class PackageRootNotFound extends Error {
  readonly code = 'PackageRootNotFound';
  constructor(from: string) {
    super(`cannot find the flowctl package (its package.json) above ${from}`);
    this.name = 'PackageRootNotFound';
  }
}

/**
 * The `flowctl` package this CLI runs from: a checkout of the repository or the installed npm
 * package. Both lay out dist/apps/* and web/dist the same way below it.
 */
export function flowctlPackageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'flowctl') return dir;
    if (dirname(dir) === dir) throw new PackageRootNotFound(from);
  }
}

/** A checkout (not the npm package): it has the examples `npm run dev` applies. */
export const isCheckout = (root: string): boolean => existsSync(join(root, 'examples')) && existsSync(join(root, 'apps'));
