import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
/** The built dashboard the scheduler serves in these tests (FLOWCTL_WEB_ROOT). */
export const WEB_DIST = join(ROOT, 'web', 'dist');

/** Builds web/dist when it is missing or older than its sources (a few seconds; nothing when fresh). */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--if-stale'], { stdio: 'inherit', cwd: ROOT });
}

/** Debian's Chromium (`apt-get install chromium`), never a downloaded browser. */
export const CHROMIUM_PATH = process.env.FLOWCTL_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
