// `npm run pack`: builds the npm packages of packages/* from this repository's build and packs them.
//
//   node scripts/pack-packages.mjs [--no-build] [--out DIR]
//
// The sources stay where they are (apps/, libs/, web/); packages/<name>/ holds only each package's
// manifest, README, CHANGELOG (and the `flowctl` command's launcher). This script stages each package
// in dist/packages/<name>/ from dist/ and web/dist, fills in its dependencies from the root
// package.json, and runs `npm pack` there. The tarballs land in dist/packages/ (or --out), one line
// each on stdout.
//
// - flowctl: the CLI, the scheduler, the stock worker and `flowctl dev` (dist/apps, dist/libs) and
//   the built dashboard (web/dist), laid out as in the repository so the same code finds them.
//   Its dependencies are the root package's runtime dependencies.
// - @flowctl/worker: libs/worker-sdk and exactly the library files it loads (core, queue,
//   observability), found by following the built files' require() calls from its index, with
//   declarations (.d.ts) from tsc. Its dependencies are the packages those files require, so what
//   libs/worker-sdk/src/index.ts exports is what the package exports, with nothing to change here.
// - @flowctl/client: libs/api-contract the same way, once this tree has it (skipped until then).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { LIBRARIES } = require('./swc-options.cjs');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const outIndex = args.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(root, 'dist', 'packages'));
const stageRoot = join(root, 'dist', 'packages');

class PackError extends Error {}

const run = (command, commandArgs, cwd = root) =>
  execFileSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

if (build) {
  run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'build-web.mjs'), '--if-stale']);
}

/** `bullmq` for `bullmq/dist/x`, `@scope/name` for `@scope/name/x`; undefined for Node's own modules. */
function packageOf(specifier) {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const versionOf = (name) => {
  const version = rootManifest.dependencies?.[name] ?? rootManifest.devDependencies?.[name];
  if (!version) throw new PackError(`${name} is used by a packaged file but is not a dependency in package.json`);
  return version;
};

/** A built file without its source-map comment: the maps point at sources the packages do not carry. */
function copyBuilt(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, readFileSync(from, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'));
}

function filesBelow(dir, keep) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Starts dist/packages/<dir> afresh with the manifest's companions from packages/<dir>. */
function stage(dir, extraFiles = []) {
  const target = join(stageRoot, dir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of ['README.md', 'CHANGELOG.md', ...extraFiles])
    cpSync(join(root, 'packages', dir, file), join(target, file), { recursive: true });
  return { target, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) };
}

const writeManifest = (target, manifest) => writeFileSync(join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

function stageFlowctl() {
  const { target, manifest } = stage('flowctl', ['bin']);
  const webIndex = join(root, 'web', 'dist', 'index.html');
  if (!existsSync(webIndex)) throw new PackError('web/dist is missing: run `npm run build` first (or drop --no-build)');
  for (const dir of ['dist/apps/flowctl', 'dist/apps/scheduler', 'dist/apps/worker', 'dist/libs']) {
    for (const file of filesBelow(join(root, dir), (name) => name.endsWith('.js'))) copyBuilt(file, join(target, relative(root, file)));
  }
  cpSync(join(root, 'web', 'dist'), join(target, 'web', 'dist'), { recursive: true });
  // The Python SDK travels with the CLI, so a user with no checkout installs it from node_modules (no index needed).
  cpSync(join(root, 'sdks', 'python'), join(target, 'sdks', 'python'), {
    recursive: true,
    filter: (path) => !/(^|\/)(tests|__pycache__|build|[^/]*\.egg-info)$/.test(path),
  });
  // The workflow JSON Schema, for editors' yaml-language-server modeline.
  cpSync(join(root, 'schemas'), join(target, 'schemas'), { recursive: true });
  manifest.dependencies = { ...rootManifest.dependencies };
  writeManifest(target, manifest);
  return target;
}

/** The built files `entry` loads, itself included, following relative require() calls. */
function requireClosure(entry) {
  const files = new Set();
  const packages = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (specifier.startsWith('.')) pending.push(require.resolve(resolve(dirname(file), specifier)));
      else if (packageOf(specifier)) packages.add(packageOf(specifier));
    }
  }
  return { files, packages };
}

/**
 * A package made of one library of libs/ (its index is the package's) and the library files it
 * loads. Undefined, with a note, when this tree does not have the library.
 */
function stageLibraryPackage(dir, library) {
  if (!existsSync(join(root, 'libs', library, 'src', 'index.ts'))) {
    console.error(`pack-packages: skipping packages/${dir}: libs/${library} is not in this tree`);
    return undefined;
  }
  const { target, manifest } = stage(dir);
  const entry = join(root, 'dist', 'libs', library, 'src', 'index.js');
  if (!existsSync(entry)) throw new PackError(`${relative(root, entry)} is missing: run \`npm run build\` first (or drop --no-build)`);
  const { files, packages } = requireClosure(entry);
  for (const file of files) copyBuilt(file, join(target, relative(join(root, 'dist'), file)));

  // Declarations for the same files, from the type checker; the @flowctl/* aliases become relative paths.
  const typesDir = join(stageRoot, `${dir}-types`);
  rmSync(typesDir, { recursive: true, force: true });
  const tsconfig = join(stageRoot, `tsconfig.${dir}-types.json`);
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { declaration: true, emitDeclarationOnly: true, sourceMap: false, outDir: typesDir, rootDir: root, types: ['node'] },
      files: [join(root, 'libs', library, 'src', 'index.ts')],
      include: [],
    }),
  );
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]);
  const aliases = new RegExp(`(['"])@flowctl/(${LIBRARIES.join('|')})\\1`, 'g');
  const typePackages = new Set();
  for (const file of filesBelow(typesDir, (name) => name.endsWith('.d.ts'))) {
    const to = join(target, relative(typesDir, file));
    let text = readFileSync(file, 'utf8').replace(aliases, (_, quote, name) => {
      const path = relative(dirname(to), join(target, 'libs', name, 'src', 'index'));
      return `${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`;
    });
    for (const [, specifier] of text.matchAll(/(?:from |import\()['"]([^'".][^'"]*)['"]/g))
      if (packageOf(specifier)) typePackages.add(packageOf(specifier));
    text = text.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n');
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
  rmSync(typesDir, { recursive: true, force: true });
  rmSync(tsconfig, { force: true });

  const main = `./libs/${library}/src/index`;
  writeFileSync(join(target, 'index.js'), `'use strict';\nmodule.exports = require('${main}.js');\n`);
  writeFileSync(join(target, 'index.d.ts'), `export * from '${main}';\n`);
  // Node cannot always see the names of a CommonJS module's re-exports: list them for `import { … }`.
  const names = Object.keys(require(join(target, 'index.js'))).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  writeFileSync(
    join(target, 'index.mjs'),
    `import sdk from './index.js';\n\nexport const { ${names.join(', ')} } = sdk;\nexport default sdk;\n`,
  );

  // Packages whose types come from DefinitelyTyped: users of the declarations need those too.
  const typings = [...typePackages]
    .filter((name) => !packages.has(`@types/${name}`) && rootManifest.devDependencies?.[`@types/${name}`] && !hasOwnTypes(name))
    .map((name) => `@types/${name}`);
  const dependencies = [...packages, ...typings].sort();
  manifest.dependencies = Object.fromEntries(dependencies.map((name) => [name, versionOf(name)]));
  writeManifest(target, manifest);
  return target;
}

function hasOwnTypes(name) {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
    return Boolean(manifest.types || manifest.typings || existsSync(join(root, 'node_modules', name, 'index.d.ts')));
  } catch {
    return false;
  }
}

try {
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir).filter((name) => name.endsWith('.tgz'))) rmSync(join(outDir, old));
  const targets = [stageFlowctl(), stageLibraryPackage('worker', 'worker-sdk'), stageLibraryPackage('client', 'api-contract')];
  for (const target of targets.filter(Boolean)) {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', outDir], target));
    console.log(join(outDir, packed.filename));
  }
} catch (error) {
  if (!(error instanceof PackError)) throw error;
  console.error(`pack-packages: ${error.message}`);
  process.exit(1);
}
