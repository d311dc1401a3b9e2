import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load, loadAll, mergeTag } from 'js-yaml';

/** The repository root: deployment files name paths relative to it (the Docker build context). */
export const REPO_ROOT = join(__dirname, '..', '..');

export const repoPath = (path: string): string => join(REPO_ROOT, path);
export const repoFileExists = (path: string): boolean => existsSync(repoPath(path));
export const readRepoFile = (path: string): string => readFileSync(repoPath(path), 'utf8');

export function repoFilesIn(dir: string, suffix: string): string[] {
  return readdirSync(repoPath(dir))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => `${dir}/${name}`);
}

/**
 * Compose resolves YAML merge keys (`<<: *anchor`); js-yaml 5 leaves them as a
 * literal `<<` key unless its schema carries the merge tag.
 */
const COMPOSE_YAML = CORE_SCHEMA.withTags(mergeTag);

export function loadYamlFile(path: string): unknown {
  return load(readRepoFile(path), { schema: COMPOSE_YAML });
}

/** Every document of a multi-document YAML file, empty ones (a trailing `---`) left out. */
export function loadYamlDocuments(path: string): unknown[] {
  return loadAll(readRepoFile(path), { schema: COMPOSE_YAML }).filter((document) => document != null);
}
