import { Client } from 'pg';
import { InsightsRollupRepository } from '@flowctl/persistence';
import { FlowctlStack } from './support/flowctl-stack';
import type { TestApi } from './support/api-client';
import { aWorkflow } from './support/workflow-factory';

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'admin-token-for-the-insights-test-0123456789';
const MINUTE = 60_000;

/** An hour three days back, on the hour: the window every assertion on the inserted history reads. */
const T0 = Math.floor((Date.now() - 3 * 24 * 3_600_000) / 3_600_000) * 3_600_000;
const at = (ms: number) => new Date(T0 + ms);
const WINDOW = `since=${at(0).toISOString()}&until=${at(60 * MINUTE).toISOString()}`;

interface RunSketch {
  key: string;
  namespace: string;
  workflow: string;
  status: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

interface TaskSketch {
  run: string;
  name: string;
  type: string;
  status: string;
  attempt: number;
  /** Enqueue of the last attempt; its start comes `waitMs` later and its end `durationMs` after that. */
  queuedAt: number;
  waitMs: number | null;
  durationMs: number | null;
  fanOut?: { parent: string; index: number };
  instancesTotal?: number;
}

/** The known history: durations and waits chosen so every percentile is worked out by hand below. */
const RUNS: RunSketch[] = [
  {
    key: 'r1',
    namespace: 'default',
    workflow: 'etl',
    status: 'succeeded',
    createdAt: 1 * MINUTE,
    startedAt: 1 * MINUTE,
    finishedAt: 1 * MINUTE + 10_000,
  },
  {
    key: 'r2',
    namespace: 'default',
    workflow: 'etl',
    status: 'succeeded',
    createdAt: 2 * MINUTE,
    startedAt: 2 * MINUTE,
    finishedAt: 2 * MINUTE + 20_000,
  },
  {
    key: 'r3',
    namespace: 'default',
    workflow: 'etl',
    status: 'failed',
    createdAt: 3 * MINUTE,
    startedAt: 3 * MINUTE,
    finishedAt: 3 * MINUTE + 30_000,
  },
  {
    key: 'r4',
    namespace: 'default',
    workflow: 'etl',
    status: 'timed_out',
    createdAt: 4 * MINUTE,
    startedAt: 4 * MINUTE,
    finishedAt: 4 * MINUTE + 40_000,
  },
  // Cancelled while pending: its duration counts from its creation.
  {
    key: 'r5',
    namespace: 'default',
    workflow: 'etl',
    status: 'cancelled',
    createdAt: 5 * MINUTE,
    startedAt: null,
    finishedAt: 5 * MINUTE + 50_000,
  },
  // Started before the window and still running: not counted at all.
  {
    key: 'r6',
    namespace: 'default',
    workflow: 'etl',
    status: 'running',
    createdAt: -10 * MINUTE,
    startedAt: -10 * MINUTE,
    finishedAt: null,
  },
  // Started in the window, still running: counted as started only.
  { key: 'r7', namespace: 'default', workflow: 'etl', status: 'running', createdAt: 6 * MINUTE, startedAt: 6 * MINUTE, finishedAt: null },
  {
    key: 'r8',
    namespace: 'default',
    workflow: 'report',
    status: 'succeeded',
    createdAt: 10 * MINUTE,
    startedAt: 10 * MINUTE,
    finishedAt: 11 * MINUTE,
  },
  // Another namespace, a workflow of the same name: never in an answer about `default`.
  {
    key: 'r9',
    namespace: 'other',
    workflow: 'etl',
    status: 'failed',
    createdAt: 3 * MINUTE,
    startedAt: 3 * MINUTE,
    finishedAt: 3 * MINUTE + 100_000,
  },
  // Outside the window on both sides.
  {
    key: 'r10',
    namespace: 'default',
    workflow: 'etl',
    status: 'succeeded',
    createdAt: -30 * MINUTE,
    startedAt: -30 * MINUTE,
    finishedAt: -29 * MINUTE,
  },
  {
    key: 'r11',
    namespace: 'default',
    workflow: 'etl',
    status: 'succeeded',
    createdAt: 61 * MINUTE,
    startedAt: 61 * MINUTE,
    finishedAt: 62 * MINUTE,
  },
];

const TASKS: TaskSketch[] = [
  { run: 'r1', name: 'extract', type: 'http', status: 'succeeded', attempt: 1, queuedAt: 1 * MINUTE, waitMs: 1_000, durationMs: 1_000 },
  { run: 'r1', name: 'load', type: 'shell', status: 'succeeded', attempt: 3, queuedAt: 1 * MINUTE, waitMs: 3_000, durationMs: 5_000 },
  { run: 'r2', name: 'extract', type: 'http', status: 'succeeded', attempt: 2, queuedAt: 2 * MINUTE, waitMs: 2_000, durationMs: 2_000 },
  { run: 'r2', name: 'load', type: 'shell', status: 'succeeded', attempt: 1, queuedAt: 2 * MINUTE, waitMs: 4_000, durationMs: 7_000 },
  { run: 'r3', name: 'extract', type: 'http', status: 'dead', attempt: 3, queuedAt: 3 * MINUTE, waitMs: 3_000, durationMs: 3_000 },
  // Skipped: never ran, so neither finished nor a duration.
  { run: 'r3', name: 'load', type: 'shell', status: 'skipped', attempt: 0, queuedAt: 3 * MINUTE, waitMs: null, durationMs: 6_000 },
  // Running: no end yet.
  { run: 'r7', name: 'extract', type: 'http', status: 'running', attempt: 1, queuedAt: 6 * MINUTE, waitMs: 1_000, durationMs: null },
  { run: 'r8', name: 'render', type: 'noop', status: 'succeeded', attempt: 1, queuedAt: 10 * MINUTE, waitMs: 500, durationMs: 9_000 },
  // A forEach task: the parent sums its instances and is not a task run of its own here.
  {
    run: 'r8',
    name: 'fan',
    type: 'noop',
    status: 'succeeded',
    attempt: 1,
    queuedAt: 10 * MINUTE,
    waitMs: 0,
    durationMs: 400,
    instancesTotal: 2,
  },
  {
    run: 'r8',
    name: 'fan[0]',
    type: 'noop',
    status: 'succeeded',
    attempt: 1,
    queuedAt: 10 * MINUTE,
    waitMs: 100,
    durationMs: 100,
    fanOut: { parent: 'fan', index: 0 },
  },
  {
    run: 'r8',
    name: 'fan[1]',
    type: 'noop',
    status: 'succeeded',
    attempt: 1,
    queuedAt: 10 * MINUTE,
    waitMs: 100,
    durationMs: 300,
    fanOut: { parent: 'fan', index: 1 },
  },
  { run: 'r9', name: 'extract', type: 'http', status: 'dead', attempt: 5, queuedAt: 3 * MINUTE, waitMs: 9_000, durationMs: 60_000 },
  { run: 'r10', name: 'extract', type: 'http', status: 'succeeded', attempt: 4, queuedAt: -30 * MINUTE, waitMs: 1, durationMs: 99_000 },
  { run: 'r11', name: 'extract', type: 'http', status: 'succeeded', attempt: 4, queuedAt: 61 * MINUTE, waitMs: 1, durationMs: 99_000 },
];

async function insertHistory(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const versions = new Map<string, string>();
    for (const { rows } of [
      await db.query<{ id: string; namespace: string; name: string }>('SELECT id, namespace, name FROM workflow_versions'),
    ])
      for (const row of rows) versions.set(`${row.namespace}/${row.name}`, row.id);
    const runIds = new Map<string, string>();
    for (const run of RUNS) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO runs (id, namespace, workflow_name, workflow_version_id, version, status, tasks_total, tasks_open, created_at, started_at, finished_at)
         VALUES (gen_random_uuid(), $1, $2, $3, 1, $4, 2, 0, $5, $6, $7) RETURNING id`,
        [
          run.namespace,
          run.workflow,
          versions.get(`${run.namespace}/${run.workflow}`),
          run.status,
          at(run.createdAt),
          run.startedAt === null ? null : at(run.startedAt),
          run.finishedAt === null ? null : at(run.finishedAt),
        ],
      );
      runIds.set(run.key, rows[0]!.id);
    }
    const taskIds = new Map<string, string>();
    for (const task of TASKS) {
      const startedAt = task.waitMs === null ? null : at(task.queuedAt + task.waitMs);
      const finishedAt = task.durationMs === null ? null : at(task.queuedAt + (task.waitMs ?? 0) + task.durationMs);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO task_runs (run_id, name, type, status, attempt, queued_at, started_at, finished_at, parent_task_run_id, item_index, instances_total)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          runIds.get(task.run),
          task.name,
          task.type,
          task.status,
          task.attempt,
          at(task.queuedAt),
          startedAt,
          finishedAt,
          task.fanOut ? taskIds.get(`${task.run}/${task.fanOut.parent}`) : null,
          task.fanOut?.index ?? null,
          task.instancesTotal ?? null,
        ],
      );
      taskIds.set(`${task.run}/${task.name}`, rows[0]!.id);
      if (task.status === 'dead') {
        const run = RUNS.find((candidate) => candidate.key === task.run)!;
        await db.query(
          `INSERT INTO dead_letters (task_run_id, run_id, namespace, workflow_name, task, type, attempt, dead_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [rows[0]!.id, runIds.get(task.run), run.namespace, run.workflow, task.name, task.type, task.attempt, finishedAt],
        );
      }
    }
  } finally {
    await db.end();
  }
}

/** Statements against the test's database, on a connection of their own. */
async function withDatabase<T>(databaseUrl: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** Rolls up [from, to) as the leader's InsightsRollupTimer does. */
async function rollUpHistory(databaseUrl: string, from: Date, to: Date): Promise<void> {
  await withDatabase(databaseUrl, async (db) => {
    const queryable = { query: async (sql: string, parameters?: unknown[]) => (await db.query(sql, parameters)).rows as any };
    await db.query('BEGIN');
    await new InsightsRollupRepository().rollUp(queryable, from, to);
    await db.query('COMMIT');
  });
}

/** Rows of each rollup table, by measure for the histograms: what a pass wrote or pruned. */
async function rollupRows(databaseUrl: string, where = 'true'): Promise<Record<string, number>> {
  return withDatabase(databaseUrl, async (db) => {
    const counts: Record<string, number> = {};
    for (const [table, time] of [
      ['insights_run_hours', 'hour'],
      ['insights_task_hours', 'hour'],
      ['insights_histograms', 'hour'],
      ['insights_histogram_days', 'day'],
    ] as const) {
      const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM ${table} WHERE ${where.replaceAll('$time', time)}`);
      counts[table] = Number(rows[0]!.count);
    }
    return counts;
  });
}

const setRolledUntil = (databaseUrl: string, to: Date | null) =>
  withDatabase(databaseUrl, (db) => db.query('UPDATE insights_rollup_state SET rolled_until = $1', [to]));
const lastHour = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

/** The bucket starting `minute` minutes into the window, from a series. */
const bucket = <T extends { at: string }>(series: T[], minute: number): T | undefined =>
  series.find((point) => point.at === at(minute * MINUTE).toISOString());
const nonZero = (series: { at: string; count?: number; tasks?: number }[]) =>
  series.filter((point) => (point.count ?? point.tasks ?? 0) > 0).map((point) => [point.at, point.count ?? point.tasks]);

describe('GET /insights', () => {
  let stack: FlowctlStack;
  let admin: TestApi;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'insights', schedulerEnv: { FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN } });
    admin = stack.api;
    const workflows: [string, string][] = [
      ['etl', 'default'],
      ['report', 'default'],
      ['etl', 'other'],
    ];
    for (const [name, namespace] of workflows)
      expect((await admin.applyYaml(aWorkflow({ name, metadata: { namespace }, tasks: [{ name: 'a' }] }))).status).toBe(200);
    await insertHistory(stack.database.url);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('counts runs by outcome with their duration percentiles, per workflow and overall', async () => {
    const { status, body } = await admin.get(`/insights?namespace=default&${WINDOW}`);
    expect(status).toBe(200);
    expect(body.window).toEqual({ since: at(0).toISOString(), until: at(60 * MINUTE).toISOString(), bucketSeconds: 60 });
    // Durations 10, 20, 30, 40, 50 (cancelled, from creation) and 60 seconds.
    expect(body.runs).toEqual({
      started: 7,
      succeeded: 3,
      failed: 1,
      timedOut: 1,
      cancelled: 1,
      durationMs: { p50: 35_000, p95: 57_500, p99: 59_500 },
    });
    expect(body.workflows).toEqual([
      {
        namespace: 'default',
        workflow: 'etl',
        started: 6,
        succeeded: 2,
        failed: 1,
        timedOut: 1,
        cancelled: 1,
        durationMs: { p50: 30_000, p95: 48_000, p99: 49_600 },
      },
      {
        namespace: 'default',
        workflow: 'report',
        started: 1,
        succeeded: 1,
        failed: 0,
        timedOut: 0,
        cancelled: 0,
        durationMs: { p50: 60_000, p95: 60_000, p99: 60_000 },
      },
    ]);
    expect(body.runsOverTime).toHaveLength(60);
    expect(body.runsOverTime.filter((point: any) => point.succeeded + point.failed + point.timedOut + point.cancelled > 0)).toEqual([
      { at: at(1 * MINUTE).toISOString(), succeeded: 1, failed: 0, timedOut: 0, cancelled: 0 },
      { at: at(2 * MINUTE).toISOString(), succeeded: 1, failed: 0, timedOut: 0, cancelled: 0 },
      { at: at(3 * MINUTE).toISOString(), succeeded: 0, failed: 1, timedOut: 0, cancelled: 0 },
      { at: at(4 * MINUTE).toISOString(), succeeded: 0, failed: 0, timedOut: 1, cancelled: 0 },
      { at: at(5 * MINUTE).toISOString(), succeeded: 0, failed: 0, timedOut: 0, cancelled: 1 },
      { at: at(11 * MINUTE).toISOString(), succeeded: 1, failed: 0, timedOut: 0, cancelled: 0 },
    ]);
  });

  it('lists the slowest and most-retried tasks, queue wait per type, throughput and dead letters', async () => {
    const { body } = await admin.get(`/insights?namespace=default&${WINDOW}`);
    expect(body.slowestTasks).toEqual([
      { namespace: 'default', workflow: 'report', task: 'render', type: 'noop', count: 1, p50Ms: 9_000, p95Ms: 9_000 },
      { namespace: 'default', workflow: 'etl', task: 'load', type: 'shell', count: 2, p50Ms: 6_000, p95Ms: 6_900 },
      { namespace: 'default', workflow: 'etl', task: 'extract', type: 'http', count: 3, p50Ms: 2_000, p95Ms: 2_900 },
      { namespace: 'default', workflow: 'report', task: 'fan', type: 'noop', count: 2, p50Ms: 200, p95Ms: 290 },
    ]);
    expect(body.mostRetriedTasks).toEqual([
      { namespace: 'default', workflow: 'etl', task: 'extract', type: 'http', retries: 3, retriedRuns: 2 },
      { namespace: 'default', workflow: 'etl', task: 'load', type: 'shell', retries: 2, retriedRuns: 1 },
    ]);
    expect(body.queueWait).toEqual([
      { type: 'http', count: 3, p50Ms: 2_000, p95Ms: 2_900 },
      { type: 'noop', count: 3, p50Ms: 100, p95Ms: 460 },
      { type: 'shell', count: 2, p50Ms: 3_500, p95Ms: 3_950 },
    ]);
    expect(body.taskThroughput).toHaveLength(60);
    expect(nonZero(body.taskThroughput)).toEqual([
      [at(1 * MINUTE).toISOString(), 2],
      [at(2 * MINUTE).toISOString(), 2],
      [at(3 * MINUTE).toISOString(), 1],
      [at(10 * MINUTE).toISOString(), 3],
    ]);
    expect(bucket(body.taskThroughput, 10)).toEqual({ at: at(10 * MINUTE).toISOString(), tasks: 3, perMinute: 3 });
    expect(nonZero(body.deadLettersOverTime)).toEqual([[at(3 * MINUTE).toISOString(), 1]]);
  });

  it('answers a window longer than 6 hours from the hourly rollups exactly as from the tables', async () => {
    const day = `since=${at(0).toISOString()}&until=${at(24 * 60 * MINUTE).toISOString()}`;
    const before = (await admin.get(`/insights?namespace=default&${day}`)).body;
    expect(before.window).toEqual({ since: at(0).toISOString(), until: at(24 * 60 * MINUTE).toISOString(), bucketSeconds: 3_600 });
    // r11 (created an hour in, a minute long, its task 99 s) joins the hour's runs.
    expect(before.runs).toEqual({
      started: 8,
      succeeded: 4,
      failed: 1,
      timedOut: 1,
      cancelled: 1,
      durationMs: { p50: 40_000, p95: 60_000, p99: 60_000 },
    });
    expect(before.slowestTasks[0]).toEqual({
      namespace: 'default',
      workflow: 'etl',
      task: 'extract',
      type: 'http',
      count: 4,
      p50Ms: 2_500,
      p95Ms: 84_600,
    });
    expect(before.taskThroughput.slice(0, 2)).toEqual([
      { at: at(0).toISOString(), tasks: 8, perMinute: 8 / 60 },
      { at: at(60 * MINUTE).toISOString(), tasks: 1, perMinute: 1 / 60 },
    ]);

    // What the leader's rollup writes, done now over the whole history: the answer is the same.
    await rollUpHistory(stack.database.url, at(-24 * 60 * MINUTE), lastHour());
    expect((await rollupRows(stack.database.url)).insights_run_hours).toBeGreaterThan(0);
    const after = (await admin.get(`/insights?namespace=default&${day}`)).body;
    expect(after).toEqual(before);
    const { body: etl } = await admin.get(`/insights?workflow=etl&${day}`);
    expect(etl.runs).toMatchObject({ started: 8, succeeded: 3, failed: 2 });
    expect(etl.mostRetriedTasks[0]).toEqual({
      namespace: 'default',
      workflow: 'etl',
      task: 'extract',
      type: 'http',
      retries: 6,
      retriedRuns: 3,
    });
  });

  it('reads the whole days of a window from the daily histograms, summed again when a pass rewrites their hours', async () => {
    const url = stack.database.url;
    // Two days before T0 to one after: the UTC day of T0 is whole in it, the hours around it are not.
    const days = `since=${at(-48 * 60 * MINUTE).toISOString()}&until=${at(24 * 60 * MINUTE).toISOString()}`;
    await setRolledUntil(url, null);
    const fromTables = (await admin.get(`/insights?namespace=default&${days}`)).body;
    await rollUpHistory(url, at(-72 * 60 * MINUTE), lastHour());
    expect((await rollupRows(url)).insights_histogram_days).toBeGreaterThan(0);
    expect((await admin.get(`/insights?namespace=default&${days}`)).body).toEqual(fromTables);

    // The hourly histograms of T0's day gone: the window still has every duration (it reads that day's
    // row), a window that does not hold the whole day has none.
    const dayOfT0 = new Date(Math.floor(T0 / (24 * 3_600_000)) * 24 * 3_600_000);
    await withDatabase(url, (db) =>
      db.query(`DELETE FROM insights_histograms WHERE hour >= $1 AND hour < $1::timestamptz + interval '1 day'`, [dayOfT0]),
    );
    expect((await admin.get(`/insights?namespace=default&${days}`)).body).toEqual(fromTables);
    const partOfDay = `since=${dayOfT0.toISOString()}&until=${new Date(dayOfT0.getTime() + 23 * 60 * MINUTE).toISOString()}`;
    if (T0 + 2 * 60 * MINUTE <= dayOfT0.getTime() + 23 * 60 * MINUTE)
      expect((await admin.get(`/insights?namespace=default&${partOfDay}`)).body.slowestTasks).toEqual([]);
    await rollUpHistory(url, at(-72 * 60 * MINUTE), lastHour());

    // A task run that ended in an hour rolled up already: the next pass over that hour puts it in the day.
    const [run] = await withDatabase(url, async (db) => {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM runs WHERE namespace = 'default' AND workflow_name = 'report' ORDER BY created_at LIMIT 1`,
      );
      await db.query(
        `INSERT INTO task_runs (run_id, name, type, status, attempt, queued_at, started_at, finished_at)
         VALUES ($1, 'archive', 'shell', 'succeeded', 1, $2, $2, $3)`,
        [rows[0]!.id, at(20 * MINUTE), at(20 * MINUTE + 500_000)],
      );
      return rows;
    });
    expect(run).toBeDefined();
    await rollUpHistory(url, at(0), at(60 * MINUTE));
    const after = (await admin.get(`/insights?namespace=default&${days}`)).body;
    expect(after.slowestTasks[0]).toEqual({
      namespace: 'default',
      workflow: 'report',
      task: 'archive',
      type: 'shell',
      count: 1,
      p50Ms: 500_000,
      p95Ms: 500_000,
    });
    expect(after.queueWait.find((row: any) => row.type === 'shell').count).toBe(
      fromTables.queueWait.find((row: any) => row.type === 'shell').count + 1,
    );
    // And the day's row agrees with the tables once more.
    await setRolledUntil(url, null);
    expect((await admin.get(`/insights?namespace=default&${days}`)).body).toEqual(after);
    await rollUpHistory(url, at(-72 * 60 * MINUTE), lastHour());
  });

  it('reads an hour rolled up only in part from its row up to rolled_until and from the tables after it', async () => {
    const url = stack.database.url;
    const day = `since=${at(0).toISOString()}&until=${at(24 * 60 * MINUTE).toISOString()}`;
    await setRolledUntil(url, null);
    const fromTables = (await admin.get(`/insights?namespace=default&${day}`)).body;
    // As a pass 2 minutes after T0 + 5.5 min would leave it: r1 to r5 and their tasks in T0's row, the rest after.
    await withDatabase(url, (db) =>
      db.query('DELETE FROM insights_histograms; DELETE FROM insights_task_hours; DELETE FROM insights_run_hours'),
    );
    await rollUpHistory(url, at(-60 * MINUTE), at(5.5 * MINUTE));
    expect((await rollupRows(url, `$time = '${at(0).toISOString()}'`)).insights_histograms).toBeGreaterThan(0);
    expect((await admin.get(`/insights?namespace=default&${day}`)).body).toEqual(fromTables);
    await rollUpHistory(url, at(-72 * 60 * MINUTE), lastHour());
  });

  it('filters by workflow, in every namespace the caller sees unless one is named', async () => {
    const everywhere = (await admin.get(`/insights?workflow=etl&${WINDOW}`)).body;
    expect(everywhere.workflow).toBe('etl');
    expect(everywhere.workflows.map((row: any) => `${row.namespace}/${row.workflow}`)).toEqual(['default/etl', 'other/etl']);
    expect(everywhere.runs).toMatchObject({ started: 7, succeeded: 2, failed: 2 });
    expect(everywhere.mostRetriedTasks[0]).toEqual({
      namespace: 'other',
      workflow: 'etl',
      task: 'extract',
      type: 'http',
      retries: 4,
      retriedRuns: 1,
    });

    const onlyDefault = (await admin.get(`/insights?workflow=etl&namespace=default&${WINDOW}`)).body;
    expect(onlyDefault.runs).toMatchObject({ started: 6, succeeded: 2, failed: 1 });
    expect(onlyDefault.slowestTasks.map((row: any) => row.task)).toEqual(['load', 'extract']);
    expect(nonZero(onlyDefault.deadLettersOverTime)).toEqual([[at(3 * MINUTE).toISOString(), 1]]);
  });

  it('answers a token only about its own namespaces, as the runs API does', async () => {
    const created = await admin.post('/tokens', { role: 'viewer', namespaces: ['default'], name: 'insights-viewer' });
    expect(created.status).toBe(201);
    const viewer = admin.as(created.body.token);

    const own = await viewer.get(`/insights?${WINDOW}`);
    expect(own.status).toBe(200);
    expect(own.body.workflows.map((row: any) => row.namespace)).toEqual(['default', 'default']);
    expect(own.body.runs.failed).toBe(1);
    expect(own.body.slowestTasks.every((row: any) => row.namespace === 'default')).toBe(true);
    expect(nonZero(own.body.deadLettersOverTime)).toEqual([[at(3 * MINUTE).toISOString(), 1]]);

    const other = await viewer.get(`/insights?namespace=other&${WINDOW}`);
    expect(other.status).toBe(403);
    expect((await viewer.get(`/runs?namespace=other`)).status).toBe(403);
    expect((await admin.as(undefined).get(`/insights?${WINDOW}`)).status).toBe(401);

    const otherViewer = admin.as(
      (await admin.post('/tokens', { role: 'viewer', namespaces: ['other'], name: 'insights-other-viewer' })).body.token,
    );
    const theirs = (await otherViewer.get(`/insights?${WINDOW}`)).body;
    expect(theirs.runs).toMatchObject({ started: 1, succeeded: 0, failed: 1 });
    expect(theirs.workflows.map((row: any) => `${row.namespace}/${row.workflow}`)).toEqual(['other/etl']);
  });

  it('refuses bad parameters with 400 and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['since=yesterday', /since must be an ISO 8601 time/],
      ['until=tomorrow', /until must be an ISO 8601 time/],
      ['since=1h&until=2h', /since .* must be before until/],
      ['since=120d', /at most 90 days/],
      ['since=0h', /longer than 0/],
      ['workflow=Not%20A%20Name', /not a valid workflow name/],
      ['namespace=Bad_Namespace', /not a valid name/],
    ];
    for (const [query, reason] of cases) {
      const response = await admin.get(`/insights?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.body.message).toMatch(reason);
    }
  });

  it('counts runs that went through the real stack', async () => {
    expect((await admin.applyYaml(aWorkflow({ name: 'live', tasks: [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }] }))).status).toBe(200);
    const started = await admin.post('/workflows/live/runs', {});
    expect(started.status).toBe(201);
    const run = await stack.waitForRun(started.body.id);
    expect(run.status).toBe('succeeded');

    const { body } = await admin.get('/insights?workflow=live&since=1h');
    expect(body.runs).toMatchObject({ started: 1, succeeded: 1, failed: 0 });
    expect(body.runs.durationMs.p50).toBeGreaterThan(0);
    expect(body.slowestTasks.map((row: any) => row.task).sort()).toEqual(['a', 'b']);
    expect(body.taskThroughput.reduce((sum: number, point: any) => sum + point.tasks, 0)).toBe(2);
    expect(body.queueWait).toEqual([expect.objectContaining({ type: 'noop', count: 2 })]);
  });

  it('prunes the hourly and daily rollups of what is over 91 days older than a pass', async () => {
    const url = stack.database.url;
    await rollUpHistory(url, at(-72 * 60 * MINUTE), lastHour());
    const ofT0 = `$time <= '${at(0).toISOString()}'`;
    expect(Object.values(await rollupRows(url, ofT0)).every((count) => count > 0)).toBe(true);
    const later = new Date(Math.floor((T0 + 92 * 24 * 3_600_000) / 3_600_000) * 3_600_000);
    try {
      await rollUpHistory(url, later, new Date(later.getTime() + 3_600_000));
      expect(await rollupRows(url, ofT0)).toEqual({
        insights_run_hours: 0,
        insights_task_hours: 0,
        insights_histograms: 0,
        insights_histogram_days: 0,
      });
    } finally {
      await setRolledUntil(url, lastHour());
    }
  });
});
