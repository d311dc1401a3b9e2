import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkflowSource, WorkflowInvalid } from '@flowctl/core';
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
