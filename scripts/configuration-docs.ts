// The tables of docs/configuration.md, made from the same declarations the apps read at start.
// `npm run docs:config` rewrites them; test/configuration-docs.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEnvironment } from '../libs/core/src/config/environment';
import { OBSERVABILITY_ENVIRONMENT } from '../libs/observability/src/observability-environment';
import { SCHEDULER_ENVIRONMENT } from '../apps/scheduler/src/config/scheduler-config';
import { WORKER_ENVIRONMENT } from '../apps/worker/src/config/worker-config';

export const CONFIGURATION_DOC = join(__dirname, '..', 'docs', 'configuration.md');

const TABLES: Record<string, string> = {
  scheduler: describeEnvironment(SCHEDULER_ENVIRONMENT.variables),
  worker: describeEnvironment(WORKER_ENVIRONMENT.variables),
  observability: describeEnvironment(OBSERVABILITY_ENVIRONMENT.variables),
};

/** The document with each `<!-- env:NAME -->...<!-- /env -->` block holding its current table. */
export function withCurrentTables(document: string): string {
  return document.replace(/<!-- env:([a-z]+) -->[\s\S]*?<!-- \/env -->/g, (block, name: string) =>
    TABLES[name] === undefined ? block : `<!-- env:${name} -->\n${TABLES[name]}\n<!-- /env -->`,
  );
}

export const TABLE_NAMES = Object.keys(TABLES);

if (require.main === module) {
  writeFileSync(CONFIGURATION_DOC, withCurrentTables(readFileSync(CONFIGURATION_DOC, 'utf8')));
}
