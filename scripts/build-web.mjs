// Builds the dashboard (web/ -> web/dist) with Vite. With --if-stale it does nothing when web/dist is
// newer than every source of the dashboard, so `npm run dev` and the browser tests only pay for a
// build after a change.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const builtIndex = join(web, 'dist', 'index.html');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function isDashboardStale() {
  if (!existsSync(builtIndex)) return true;
  const sources = [
    join(web, 'src'),
    join(web, 'public'),
    join(web, 'index.html'),
    join(web, 'vite.config.mts'),
    join(root, 'libs', 'api-contract', 'src'),
    join(root, 'package-lock.json'),
  ];
  return Math.max(...sources.map(newestMtime)) > statSync(builtIndex).mtimeMs;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && !isDashboardStale()) {
  console.log('dashboard: web/dist is up to date');
} else {
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', web, '--logLevel', 'warn'], {
    stdio: 'inherit',
    cwd: root,
  });
  console.log('dashboard: built web/dist');
}
