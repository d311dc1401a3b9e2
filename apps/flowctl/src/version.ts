import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of the flowctl package this file belongs to. Looked up at run
 * time because the CLI runs both from source (jest) and from dist/, at
 * different depths below the repository's package.json.
 */
export function cliVersion(): string {
  let directory = __dirname;
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'flowctl' && manifest.version) return manifest.version;
    } catch {
      // no package.json here; keep walking up
    }
    const parent = dirname(directory);
    if (parent === directory) return '0.0.0-unknown';
    directory = parent;
  }
}
