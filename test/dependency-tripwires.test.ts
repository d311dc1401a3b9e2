import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, Query } from 'pg';
import { QueueTransport, removeInstallationKeys } from '@flowctl/queue';
import { TEST_REDIS_URL } from './support/test-database';
import { waitFor } from './support/wait-for';

jest.setTimeout(30_000);

/**
 * Two files reach past their library's public face for speed: statement-group.ts drives pg's wire
 * protocol through pg's internals (several statements, one Sync, one round trip), and the queue
 * transport (libs/queue/src/transport.ts) reads BullMQ's Redis keys and raw client. Both libraries are
 * pinned to the exact versions these checks were written against; an upgrade must come through here,
 * and whatever moved fails below by name, before anything runs against a half-understood library.
 */
const ROOT = join(__dirname, '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/** Throws with the internal's name, the file that relies on it and what to do: a plain `expected true` would say nothing. */
function tripwire(library: string, relyingFile: string, internal: string, holds: boolean): void {
  if (holds) return;
  throw new Error(
    `${library} ${installedVersion(library)}: ${internal} is not what ${relyingFile} relies on. ` +
      `Read the new version's source, fix ${relyingFile} (and this check), then move the pin.`,
  );
}

const installedVersion = (library: string): string => readJson(`node_modules/${library}/package.json`).version;

function expectPinned(library: string, relyingFile: string): void {
  const declared = readJson('package.json').dependencies[library];
  const locked = readJson('package-lock.json').packages[''].dependencies[library];
  const installed = installedVersion(library);
  if (declared !== installed || locked !== installed) {
    throw new Error(
      `${library} must be pinned exactly to the version ${relyingFile} was checked against: package.json says ` +
        `${declared}, package-lock.json ${locked}, node_modules has ${installed}. An upgrade goes through test/dependency-tripwires.test.ts.`,
    );
  }
}

describe('pg, whose wire protocol libs/persistence/src/statement-group.ts drives', () => {
  const FILE = 'libs/persistence/src/statement-group.ts';
  const check = (internal: string, holds: boolean) => tripwire('pg', FILE, internal, holds);

  it('is pinned exactly to the installed version', () => expectPinned('pg', FILE));

  it("still maps parameters with pg/lib/utils' prepareValue", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { prepareValue } = require('pg/lib/utils') as { prepareValue?: (value: unknown) => unknown };
    check('pg/lib/utils exports prepareValue', typeof prepareValue === 'function');
    check('prepareValue writes arrays as PostgreSQL array literals', prepareValue!([1, null, 'a']) === '{"1",NULL,"a"}');
    check('prepareValue writes a Date as text', typeof prepareValue!(new Date(0)) === 'string');
  });

  it('still lets a Query subclass take over submit, handleCommandComplete and handleError', () => {
    const proto = Query.prototype as unknown as Record<string, unknown>;
    for (const method of ['submit', 'handleCommandComplete', 'handleError'])
      check(`Query.prototype.${method}`, typeof proto[method] === 'function');
    const query = new Query('SELECT 1') as unknown as { text: unknown; callback: unknown };
    check("Query's constructor sets text from a bare string", query.text === 'SELECT 1');
    // A group replaces the callback after construction: pg must read it when the query ends, not copy it earlier.
    check('Query.prototype.handleError calls this.callback', String(proto.handleError).includes('this.callback('));
    check('Query.prototype.handleReadyForQuery calls this.callback', String(proto.handleReadyForQuery).includes('this.callback('));
  });

  it('still writes the extended protocol through Connection.parse, bind, describe, execute and sync', () => {
    const proto = Connection.prototype as unknown as Record<string, unknown>;
    for (const method of ['parse', 'bind', 'describe', 'execute', 'sync'])
      check(`Connection.prototype.${method}`, typeof proto[method] === 'function');
    const connection = new Connection() as unknown as Record<string, unknown>;
    check(
      'Connection#parsedStatements (an object)',
      typeof connection.parsedStatements === 'object' && connection.parsedStatements !== null,
    );
    check(
      'Connection#submittedNamedStatements (an object)',
      typeof connection.submittedNamedStatements === 'object' && connection.submittedNamedStatements !== null,
    );
    check('Connection#stream', typeof connection.stream === 'object' && connection.stream !== null);
  });

  it("still records a prepared statement from the active query's name and text when ParseComplete arrives", () => {
    const handler = String((Client.prototype as unknown as Record<string, unknown>)._handleParseComplete);
    check(
      'Client.prototype._handleParseComplete records parsedStatements[activeQuery.name] = activeQuery.text',
      handler.includes('parsedStatements[activeQuery.name] = activeQuery.text'),
    );
  });
});

describe('BullMQ, whose Redis keys and raw client libs/queue/src/transport.ts uses', () => {
  const FILE = 'libs/queue/src/transport.ts';
  const check = (internal: string, holds: boolean) => tripwire('bullmq', FILE, internal, holds);
  const prefix = `tripwire-${randomBytes(3).toString('hex')}`;
  let transport: QueueTransport;

  beforeAll(() => {
    transport = new QueueTransport({ redisUrl: TEST_REDIS_URL, prefix });
  });

  afterAll(async () => {
    await transport.close();
    await removeInstallationKeys(TEST_REDIS_URL, prefix);
  });

  it('is pinned exactly to the installed version', () => expectPinned('bullmq', FILE));

  it("still hands out the backend's raw Redis client, with pipelines that run any command", async () => {
    const queue = transport.queue('tripwire');
    const backend = (queue as unknown as { getBackend?: () => { client?: Promise<unknown> } }).getBackend?.();
    check('Queue#getBackend()', backend !== undefined);
    check("the Redis backend's `client` (a Promise of the raw client)", backend!.client instanceof Promise);
    const client = (await backend!.client) as { pipeline?: () => { runCommand?: unknown }; del?: unknown };
    check("the raw client's del", typeof client.del === 'function');
    check("the raw client's pipeline().runCommand", typeof client.pipeline?.().runCommand === 'function');
  });

  it('still keeps a held job\'s lock at "<job key>:lock" and a finished job\'s finishedOn and failedReason in its hash', async () => {
    const queue = transport.queue('tripwire');
    const client = (await (queue.getBackend() as unknown as { client: Promise<import('bullmq').RedisClient> }).client) as unknown as {
      exists(key: string): Promise<number>;
      hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
    };
    await queue.add('held', {}, { jobId: 'held', attempts: 1 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const worker = transport.worker('tripwire', async () => {
      holding = true;
      await released;
      throw new Error('let go');
    });
    try {
      await waitFor(async () => holding, { what: 'the worker to hold the job' });
      check('the lock key "<Queue#toKey(jobId)>:lock" of a held job', (await client.exists(`${queue.toKey('held')}:lock`)) === 1);
      release();
      await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, { what: 'the job to fail' });
    } finally {
      release();
      await worker.close();
    }
    const [finishedOn, failedReason] = await client.hmget(queue.toKey('held'), 'finishedOn', 'failedReason');
    check('the job hash field finishedOn', Number(finishedOn) > 0);
    check('the job hash field failedReason', failedReason === 'let go');
  });
});
