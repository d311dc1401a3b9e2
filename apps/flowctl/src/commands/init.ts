import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { CliIo } from '../cli-io';
import { InvalidInput } from '../errors';
import { starterFiles, starterManifest } from '../init/starter-project';
import { cliVersion } from '../version';

type Manifest = Record<string, unknown> & Partial<Record<'scripts' | 'dependencies' | 'devDependencies', Record<string, string>>>;

/** A name npm accepts, from the folder's name. */
const packageName = (dir: string) =>
  basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '') || 'my-flows';

/**
 * `flowctl init [DIR]`: a starter project `flowctl dev` runs as it is. Files that exist are kept;
 * an existing package.json gets the missing scripts and dependencies only.
 */
export function registerInitCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .argument('[dir]', 'the project folder (created if missing)', '.')
    .description('write a starter project: a workflow, a TypeScript and a Python worker, flowctl.yaml')
    .action((dir: string) => {
      const root = resolve(dir);
      const shown = relative(process.cwd(), root) || '.';
      const say = (line: string) => io.stdout.write(`${line}\n`);
      const manifestPath = join(root, 'package.json');
      // Read first: a package.json that is not JSON stops init before it writes anything.
      const existing = existsSync(manifestPath) ? readManifest(manifestPath) : undefined;
      for (const [path, content] of Object.entries(starterFiles(shown))) {
        const target = join(root, path);
        if (existsSync(target)) {
          say(`  kept     ${path} (exists)`);
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
        say(`  created  ${path}`);
      }
      writeManifest(manifestPath, existing, starterManifest(packageName(root), cliVersion()), say);
      say('');
      say('Next:');
      if (shown !== '.') say(`  cd ${shown}`);
      say('  npm install');
      say('  npx flowctl dev                          # then, in another terminal:');
      say('  npx flowctl run hello --input who=you --wait');
      say('(README.md has the details, the Python worker included.)');
    });
}

function readManifest(path: string): Manifest {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new InvalidInput(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function writeManifest(
  path: string,
  manifest: Manifest | undefined,
  starter: ReturnType<typeof starterManifest>,
  say: (line: string) => void,
): void {
  if (!manifest) {
    writeFileSync(path, `${JSON.stringify(starter, null, 2)}\n`);
    say('  created  package.json');
    return;
  }
  let added = 0;
  for (const key of ['scripts', 'dependencies', 'devDependencies'] as const) {
    const section = { ...(manifest[key] ?? {}) };
    for (const [name, value] of Object.entries(starter[key])) {
      if (section[name] === undefined) {
        section[name] = value;
        added++;
      }
    }
    manifest[key] = section;
  }
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  say(added > 0 ? `  updated  package.json (${added} scripts and dependencies added)` : '  kept     package.json');
}
