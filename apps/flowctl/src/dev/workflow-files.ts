import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import type { ApiClient } from '../api-client';
import { messageOf } from '../errors';
import { splitYamlDocuments } from '../yaml-documents';

const isWorkflowFile = (name: string) => /\.ya?ml$/.test(name);

/** The workflow files directly in `dir`, in name order. */
export function workflowFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(isWorkflowFile)
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Applies each document of one file. A document the server refuses (a validation error) is
 * reported and leaves the version it had applied before in place: nothing else changes.
 * Returns the names of the workflows applied.
 */
export async function applyWorkflowFile(api: ApiClient, file: string, say: (line: string) => void): Promise<string[]> {
  const shown = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    say(`could not read ${shown}: ${messageOf(error)}`);
    return [];
  }
  const applied: string[] = [];
  for (const document of splitYamlDocuments(text)) {
    try {
      const response = await api.send<{ name: string; result: string; version: number }>('PUT', '/workflows', {
        raw: { body: document, contentType: 'application/yaml' },
      });
      say(`applied ${shown}: workflow/${response.body.name} ${response.body.result}`);
      applied.push(response.body.name);
    } catch (error) {
      say(`could not apply ${shown} (the previous version stays): ${messageOf(error)}`);
    }
  }
  return applied;
}

/**
 * Calls `onChange(file)` when a workflow file in `dir` is written, once per burst of writes
 * (editors write a file in several steps). Deleted files are left applied.
 */
export function watchWorkflowFiles(dir: string, onChange: (file: string) => void, debounceMs = 150): FSWatcher {
  const timers = new Map<string, NodeJS.Timeout>();
  const watcher = watch(dir, (_event, name) => {
    if (!name || !isWorkflowFile(name)) return;
    const file = join(dir, name);
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        if (existsSync(file)) onChange(file);
      }, debounceMs),
    );
  });
  watcher.on('close', () => timers.forEach((timer) => clearTimeout(timer)));
  return watcher;
}
