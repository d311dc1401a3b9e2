// Compiles apps/, libs/, bench/ and examples/ to dist/ with SWC (seconds, not minutes, on two cores).
// Type checking is `npm run typecheck`; this step only transpiles and rewrites the @flowctl/* paths.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { swcOptions } = createRequire(import.meta.url)('./swc-options.cjs');
const outDir = join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'bench', 'examples'];

/** Files below `dir` (node_modules excluded) whose name passes `keep`. */
async function* filesBelow(dir, keep) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* filesBelow(path, keep);
    } else if (keep(entry.name)) {
      yield path;
    }
  }
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts');

// dist/ is rewritten in place, each file by an atomic rename, so a process (or a test run) that is
// starting from dist/ while another build runs never sees a missing or half-written module.
const files = [];
for (const dir of sourceDirs) for await (const file of filesBelow(join(root, dir), isSource)) files.push(file);
const written = new Set();
const writeAtomically = async (target, content) => {
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, target);
  written.add(target);
};
await Promise.all(
  files.map(async (file) => {
    const { code, map } = await transformFile(file, swcOptions(file, true));
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeAtomically(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeAtomically(`${target}.map`, map);
  }),
);

// Outputs whose source is gone would otherwise keep a deleted module loadable.
for (const dir of sourceDirs) {
  for await (const output of filesBelow(join(outDir, dir), (name) => /\.js(\.map)?$/.test(name)))
    if (!written.has(output)) await rm(output, { force: true });
}
console.log(`built ${files.length} files into ${relative(process.cwd(), outDir) || 'dist'}`);
