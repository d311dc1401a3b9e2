import Ajv from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/**
 * The shape the Nest CLI reads from nest-cli.json (schemastore's `nest-cli`
 * schema, with `builder`, which Nest CLI 10 added to compilerOptions). Unknown
 * keys are refused where the CLI's schema refuses them, so a misspelt
 * `sourceroot` or `entryfile` fails here instead of being silently ignored.
 */
const compilerOptions = {
  type: 'object',
  properties: {
    tsConfigPath: { type: 'string' },
    builder: { enum: ['tsc', 'webpack', 'swc'] },
    typeCheck: { type: 'boolean' },
    webpack: { type: 'boolean' },
    webpackConfigPath: { type: 'string' },
    plugins: { type: 'array' },
    assets: { type: 'array' },
    watchAssets: { type: 'boolean' },
    deleteOutDir: { type: 'boolean' },
  },
  additionalProperties: false,
};

const NEST_CLI_SCHEMA = {
  type: 'object',
  required: ['monorepo', 'root', 'sourceRoot', 'compilerOptions', 'projects'],
  properties: {
    $schema: { type: 'string' },
    language: { type: 'string' },
    collection: { type: 'string' },
    sourceRoot: { type: 'string' },
    entryFile: { type: 'string' },
    monorepo: { type: 'boolean' },
    root: { type: 'string' },
    compilerOptions,
    generateOptions: { type: 'object' },
    projects: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['type', 'root', 'sourceRoot', 'entryFile', 'compilerOptions'],
        properties: {
          type: { enum: ['application', 'library'] },
          root: { type: 'string' },
          entryFile: { type: 'string' },
          sourceRoot: { type: 'string' },
          compilerOptions: { ...compilerOptions, required: ['tsConfigPath'] },
          generateOptions: { type: 'object' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

interface Project {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions: { tsConfigPath: string };
}

interface NestCli {
  monorepo: boolean;
  root: string;
  sourceRoot: string;
  entryFile?: string;
  compilerOptions: { builder?: string; tsConfigPath?: string };
  projects: Record<string, Project>;
}

const config = readJson('nest-cli.json') as NestCli;
const projects = Object.entries(config.projects);
const directoriesIn = (dir: string) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe('nest-cli.json describes the monorepo as it is', () => {
  it('has the shape the Nest CLI reads', () => {
    const validate = new Ajv({ allErrors: true }).compile(NEST_CLI_SCHEMA);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('is a monorepo built with SWC, whose default project is the scheduler', () => {
    expect(config.monorepo).toBe(true);
    expect(config.compilerOptions.builder).toBe('swc');
    expect(config.projects[config.root.split('/').pop()!]?.root).toBe(config.root);
    expect(existsSync(join(ROOT, config.sourceRoot, `${config.entryFile ?? 'main'}.ts`))).toBe(true);
    // The build itself stays scripts/build.mjs (SWC); nest-cli.json describes the same tree.
    expect(existsSync(join(ROOT, 'scripts', 'build.mjs'))).toBe(true);
  });

  it('lists every app under apps/ as an application and every lib under libs/ as a library', () => {
    const listed = (type: Project['type']) =>
      projects
        .filter(([, project]) => project.type === type)
        .map(([, project]) => project.root)
        .sort();
    expect(listed('application')).toEqual(directoriesIn('apps').map((name) => `apps/${name}`));
    expect(listed('library')).toEqual(directoriesIn('libs').map((name) => `libs/${name}`));
  });

  it.each(projects)('%s: root, sourceRoot, entry file and tsconfig exist', (name, project) => {
    expect(existsSync(join(ROOT, project.root))).toBe(true);
    expect(project.sourceRoot.startsWith(`${project.root}/`)).toBe(true);
    expect(existsSync(join(ROOT, project.sourceRoot))).toBe(true);
    expect(existsSync(join(ROOT, project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
    expect(existsSync(join(ROOT, project.compilerOptions.tsConfigPath))).toBe(true);
    expect(name).toMatch(/^[a-z][-a-z]*$/);
  });

  it('names each library as the TypeScript path alias @flowctl/<name> that resolves to its sourceRoot', () => {
    const paths = (readJson('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
    for (const [name, project] of projects.filter(([, p]) => p.type === 'library')) {
      expect(paths[`@flowctl/${name}`]).toEqual([project.sourceRoot]);
    }
  });
});
