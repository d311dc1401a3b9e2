import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Integration tests run the built apps as real processes: build them first (SWC, a second or two). */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
