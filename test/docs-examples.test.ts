import { ROUTES } from '@flowctl/api-contract';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseWorkflowSource, WorkflowInvalid } from '@flowctl/core';
import { buildProgram } from '../apps/flowctl/src/cli';
import { captureIo } from '../apps/flowctl/src/testing/capture-io';
import { splitYamlDocuments } from '../apps/flowctl/src/yaml-documents';
import {
  anchorsOf,
  existsInRepo,
  fencedBlocks,
  isDirectoryInRepo,
  linkedPath,
  markdownLinks,
  REPO_ROOT,
  repositoryFiles,
  userDocuments,
  type FencedBlock,
} from './support/markdown-documents';

/**
 * The documents are part of the product: every workflow they show goes through
 * the same parse and validation as `PUT /api/v1/workflows` (parseWorkflowSource),
 * so an example that would be refused fails here, not in a user's terminal.
 * A block fenced as ```yaml invalid shows a mistake on purpose: it must be
 * refused, with the very message the page prints beside it.
 */

const isWorkflowDocument = (text: string): boolean => /^apiVersion:\s*flowctl\/v1\s*$/m.test(text) && /^kind:\s*Workflow\s*$/m.test(text);

const workflowBlocks = (info: (words: string[]) => boolean): FencedBlock[] =>
  userDocuments()
    .flatMap(fencedBlocks)
    .filter((block) => {
      const words = block.info.split(/\s+/);
      return (words[0] === 'yaml' || words[0] === 'yml') && info(words) && isWorkflowDocument(block.text);
    });

const validBlocks = workflowBlocks((words) => !words.includes('invalid'));
const invalidBlocks = workflowBlocks((words) => words.includes('invalid'));

const where = (block: FencedBlock) => `${block.file}:${block.line}`;

function problemsOf(source: string): string | undefined {
  try {
    parseWorkflowSource(source);
    return undefined;
  } catch (error) {
    if (error instanceof WorkflowInvalid) return error.message;
    throw error;
  }
}

describe('docs: workflow examples in README.md and docs/ are accepted by apply', () => {
  it('finds the examples (the pages this guards have not moved away)', () => {
    expect(validBlocks.map((block) => block.file)).toEqual(expect.arrayContaining(['README.md', 'docs/workflow-format.md']));
    expect(validBlocks.length).toBeGreaterThanOrEqual(10);
    expect(invalidBlocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(validBlocks.map((block) => [where(block), block] as const))('%s validates', (_where, block) => {
    for (const document of splitYamlDocuments(block.text)) expect(problemsOf(document)).toBeUndefined();
  });

  it.each(invalidBlocks.map((block) => [where(block), block] as const))(
    '%s (marked invalid) is refused with the message its page shows',
    (_where, block) => {
      const message = problemsOf(block.text);
      expect(message).toBeDefined();
      expect(readFileSync(join(REPO_ROOT, block.file), 'utf8')).toContain(message);
    },
  );
});

describe('docs: the workflows in examples/ are accepted by apply', () => {
  const exampleFiles = repositoryFiles().filter((path) => path.startsWith('examples/') && /\.ya?ml$/.test(path));

  it('finds them', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['examples/hello-world.yaml', 'examples/diamond.yaml']));
  });

  it.each(exampleFiles)('%s validates', (path) => {
    const documents = splitYamlDocuments(readFileSync(join(REPO_ROOT, path), 'utf8'));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(problemsOf(document)).toBeUndefined();
  });
});

/** `METHOD /path` of every route of the API contract's table (which the server binds its handlers to), `:param` spelt `:param`. */
function declaredRoutes(): string[] {
  return Object.values(ROUTES)
    .map((route) => `${route.method} ${normalizeParams(route.path)}`)
    .sort();
}

const normalizeParams = (path: string): string => path.replace(/:[A-Za-z]+/g, ':param');

describe('docs: the REST API page names every route', () => {
  const routes = declaredRoutes();
  const page = readFileSync(join(REPO_ROOT, 'docs', 'rest-api.md'), 'utf8');
  const documented = new Set(
    [...page.matchAll(/`(GET|POST|PUT|DELETE|PATCH) (\/[^`\s?]*)/g)].map((m) => `${m[1]} ${normalizeParams(m[2]!)}`),
  );

  it('finds the routes (the route table has not moved away)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it.each(routes)('%s is documented in docs/rest-api.md', (route) => {
    expect(documented).toContain(route);
  });
});

/** Every command path (`secret set`) of the real program, with the long flags it takes. */
function cliCommands(): { path: string; flags: string[] }[] {
  const { program } = buildProgram(captureIo());
  const found: { path: string; flags: string[] }[] = [];
  const walk = (command: Command, prefix: string[]) => {
    for (const sub of command.commands) {
      const path = [...prefix, sub.name()];
      found.push({ path: path.join(' '), flags: sub.options.map((option) => option.long).filter((flag): flag is string => !!flag) });
      walk(sub, path);
    }
  };
  walk(program, []);
  return found;
}

describe('docs: the CLI page names every command and flag', () => {
  const commands = cliCommands();
  const page = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
  const globalFlags = buildProgram(captureIo()).program.options.map((option) => option.long!);

  it('finds the commands (the program has not moved away)', () => {
    expect(commands.map((command) => command.path)).toEqual(expect.arrayContaining(['apply', 'run', 'get', 'secret set', 'dev']));
  });

  it.each(commands.map((command) => [command.path, command] as const))('flowctl %s is documented with its flags', (path, command) => {
    expect(page).toContain(`flowctl ${path}`);
    for (const flag of command.flags) expect(page).toContain(flag);
  });

  it('documents the global flags', () => {
    for (const flag of globalFlags) expect(page).toContain(flag);
  });
});

/** The environment variables the apps and libraries read (`env.NAME`, `env['NAME']`, declared `env.kind('NAME', ...)`), tests and testing helpers aside. */
function variablesRead(): string[] {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'testing' && entry.name !== 'node_modules') visit(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const source = readFileSync(join(REPO_ROOT, path), 'utf8');
        for (const match of source.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g))
          names.add(match[1] ?? match[2]!);
        // Declared variables (`env.integer('FLOWCTL_DB_POOL', ...)`), read through an app's environment schema.
        for (const match of source.matchAll(/\benv\.[a-z]+\(\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]!);
      }
    }
  };
  visit('apps');
  visit('libs');
  return [...names].sort();
}

describe('docs: the configuration page names every environment variable', () => {
  const variables = variablesRead();
  const page = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');

  it('finds the variables (the config loaders have not moved away)', () => {
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'WORKER_TYPES', 'FLOWCTL_SERVER']));
  });

  it.each(variables)('%s is documented in docs/configuration.md', (name) => {
    expect(page).toContain(`\`${name}`);
  });
});

describe('docs: links and references', () => {
  it('has no relative link in README.md or docs/ to a missing file or heading', () => {
    const broken: string[] = [];
    for (const link of userDocuments().flatMap(markdownLinks)) {
      const target = linkedPath(link);
      if (!target) continue;
      const at = `${link.file}:${link.line} -> ${link.target}`;
      if (!existsInRepo(target.path)) broken.push(`${at} (no such file)`);
      else if (
        target.anchor &&
        target.path.endsWith('.md') &&
        !isDirectoryInRepo(target.path) &&
        !anchorsOf(target.path).has(target.anchor)
      )
        broken.push(`${at} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('names no contract outside the repository: no file mentions it', () => {
    // Built from pieces so this file does not name it either.
    const word = ['SP', 'EC'].join('');
    const contract = `${word}.md`;
    const sectionCitation = new RegExp(`\\b${word}\\b`);
    const offenders = repositoryFiles()
      .filter((path) => !/\.(png|jpe?g|gif|svg|ico|woff2?|ttf|gz|tgz|zip|wasm)$/i.test(path))
      .filter((path) => {
        const text = readFileSync(join(REPO_ROOT, path)).toString('utf8');
        return !text.includes('\u0000') && (text.includes(contract) || sectionCitation.test(text));
      });
    expect(offenders).toEqual([]);
  });
});
