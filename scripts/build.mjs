// Compiles apps/, libs/, bench/ and examples/ to dist/ with SWC (seconds, not minutes, on two cores).
// Type checking is `npm run typecheck`; this step only transpiles and rewrites the @flowctl/* paths.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'bench', 'examples'];

async function* typescriptFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* typescriptFiles(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

export const swcOptions = (filename) => ({
  filename,
  sourceMaps: true,
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
    baseUrl: root,
    paths: {
      '@flowctl/core': ['libs/core/src'],
      '@flowctl/persistence': ['libs/persistence/src'],
      '@flowctl/queue': ['libs/queue/src'],
      '@flowctl/worker-sdk': ['libs/worker-sdk/src'],
    },
  },
});

await rm(outDir, { recursive: true, force: true });
const files = [];
for (const dir of sourceDirs) for await (const file of typescriptFiles(join(root, dir))) files.push(file);
await Promise.all(
  files.map(async (file) => {
    const { code, map } = await transformFile(file, swcOptions(file));
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeFile(`${target}.map`, map);
  }),
);
console.log(`built ${files.length} files into ${relative(process.cwd(), outDir) || 'dist'}`);
