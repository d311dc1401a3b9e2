import { Client } from 'pg';
import { TaskRunRepository, type Queryable } from '@flowctl/persistence';
import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

const task = (run: any, name: string) => run.tasks.find((t: any) => t.name === name);

describe('forEach fan-out', () => {
  let stack: FlowctlStack;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'foreach', workerEnv: { WORKER_CONCURRENCY: '100' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const start = async (name: string, tasks: any[], inputs?: Record<string, unknown>, spec?: Record<string, unknown>) => {
    const applied = await stack.api.applyYaml(aWorkflow({ name, tasks, spec }));
    expect(applied.status).toBe(200);
    const started = await stack.api.post(`/workflows/${name}/runs`, { inputs });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };

  it('runs one instance per item and gives dependents their outputs as one list in item order', async () => {
    const runId = await start('fan', [
      { name: 'list', with: { items: ['a', 'b', 'c'] } },
      {
        name: 'each',
        dependsOn: ['list'],
        forEach: '{{ tasks.list.output.items }}',
        with: { letter: '{{ item }}', position: '{{ index }}', label: '{{ index }}:{{ item }}' },
      },
      { name: 'join', dependsOn: ['each'], with: { all: '{{ tasks.each.output }}' } },
    ]);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(task(run, 'join').output.all).toEqual([
      { letter: 'a', position: 0, label: '0:a' },
      { letter: 'b', position: 1, label: '1:b' },
      { letter: 'c', position: 2, label: '2:c' },
    ]);
    expect(task(run, 'each[1]')).toMatchObject({ status: 'succeeded', itemIndex: 1, parentTaskRunId: task(run, 'each').id });
    expect(run.tasksTotal).toBe(6);

    // The history reads in order: the fan-out starts, then each instance is queued once, then runs.
    const events = (await stack.api.get(`/runs/${runId}/events?limit=500`)).body.items as { type: string; task: string }[];
    const position = (type: string, name: string) => events.findIndex((e) => e.type === type && e.task === name);
    expect(position('task_succeeded', 'list')).toBeLessThan(position('task_started', 'each'));
    for (const name of ['each[0]', 'each[1]', 'each[2]']) {
      expect(events.filter((e) => e.type === 'task_queued' && e.task === name)).toHaveLength(1);
      expect(position('task_started', 'each')).toBeLessThan(position('task_queued', name));
      expect(position('task_queued', name)).toBeLessThan(position('task_started', name));
    }
  });

  it('succeeds at once with an empty list', async () => {
    const runId = await start(
      'fan-empty',
      [
        { name: 'each', forEach: '{{ inputs.items }}', with: { x: '{{ item }}' } },
        { name: 'join', dependsOn: ['each'], with: { all: '{{ tasks.each.output }}' } },
      ],
      { items: [] },
      { inputs: { items: { type: 'array' } } },
    );
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(task(run, 'join').output.all).toEqual([]);
  });

  it('fails the fan-out when an instance dies, and a requeue of that instance lets the run finish', async () => {
    const runId = await start(
      'fan-fail',
      [
        {
          name: 'each',
          type: 'fail',
          forEach: '{{ inputs.until }}',
          retry: { maxAttempts: 1 },
          with: { untilAttempt: '{{ item }}', message: 'item {{ index }} broke' },
        },
        { name: 'join', dependsOn: ['each'], with: { all: '{{ tasks.each.output }}' } },
      ],
      { until: [1, 2, 1] },
      { inputs: { until: { type: 'array' } } },
    );
    const failed = await stack.waitForRun(runId);
    expect(failed.status).toBe('failed');
    expect(task(failed, 'each')).toMatchObject({ status: 'failed', error: { type: 'InstancesFailed' } });
    expect(task(failed, 'each[1]').status).toBe('dead');
    expect(task(failed, 'join').status).toBe('skipped');

    const letters = (await stack.api.get('/dead-letters?workflow=fan-fail')).body.items;
    expect(letters.map((l: any) => l.task)).toEqual(['each[1]']);
    expect((await stack.api.post(`/dead-letters/${letters[0].id}/requeue`)).status).toBe(200);
    const done = await stack.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(task(done, 'each[1]')).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(task(done, 'join').output.all.map((o: any) => o.attempt)).toEqual([1, 2, 1]);
  });

  it('fails the task, not the scheduler, when forEach does not give a list', async () => {
    const runId = await start(
      'fan-bad',
      [{ name: 'each', forEach: '{{ inputs.notalist }}', with: { x: '{{ item }}' } }],
      { notalist: 'abc' },
      {
        inputs: { notalist: { type: 'string' } },
      },
    );
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(task(run, 'each').error).toMatchObject({ type: 'TemplateError', message: expect.stringContaining('not a list') });
  });

  it('completes a 10,000-item fan-out', async () => {
    const runId = await start(
      'fan-wide',
      [
        { name: 'each', forEach: '{{ inputs.items }}', with: { n: '{{ item }}' } },
        { name: 'count', dependsOn: ['each'], with: { total: '{{ tasks.each.output.length }}', last: '{{ tasks.each.output[9999].n }}' } },
      ],
      { items: Array.from({ length: 10_000 }, (_, i) => i) },
      { inputs: { items: { type: 'array' } } },
    );
    const run = await stack.waitForRun(runId, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.tasksTotal).toBe(10_002);
    // Expanded in slices and sent a range at a time from PostgreSQL: every instance ran, once.
    const db = new Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const attempts = await db.query(
        `SELECT count(*)::int AS instances, count(*) FILTER (WHERE attempt = 1 AND status = 'succeeded')::int AS once,
                count(DISTINCT item_index)::int AS items
           FROM task_runs WHERE run_id = $1 AND parent_task_run_id IS NOT NULL`,
        [runId],
      );
      expect(attempts.rows[0]).toEqual({ instances: 10_000, once: 10_000, items: 10_000 });

      // A results batch locks its tasks one primary-key probe each, not by reading the whole run: with no
      // statistics for the fresh instances, the planner would otherwise read all 10,000 for every batch.
      const batch = await db.query(`SELECT id FROM task_runs WHERE run_id = $1 AND item_index BETWEEN 5000 AND 5049`, [runId]);
      const plans: string[] = [];
      const explaining = {
        query: async (sql: string, parameters?: unknown[]) => {
          const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
          plans.push(JSON.stringify(rows));
          return [];
        },
      };
      await new TaskRunRepository().lockWithRuns(
        explaining as Queryable,
        [runId],
        batch.rows.map((row) => row.id),
      );
      expect(plans).toHaveLength(1);
      const indexes = [...plans[0]!.matchAll(/"Index Name":"(\w+)"/g)].map((match) => match[1]);
      expect(indexes).toContain('task_runs_pkey');
      expect(indexes).not.toContain('task_runs_by_run');
    } finally {
      await db.end();
    }
    const count = (await stack.api.get(`/runs/${runId}?tasksLimit=10000`)).body.tasks.find((t: any) => t.name === 'count');
    expect(count?.output ?? (await findTask(stack, runId, 'count')).output).toEqual({ total: 10_000, last: 9_999 });
  }, 150_000);
});

async function findTask(stack: FlowctlStack, runId: string, name: string): Promise<any> {
  let cursor: string | null = null;
  do {
    const page: any = (await stack.api.get(`/runs/${runId}?tasksLimit=5000${cursor ? `&tasksCursor=${cursor}` : ''}`)).body;
    const found = page.tasks.find((t: any) => t.name === name);
    if (found) return found;
    cursor = page.tasksNextCursor;
  } while (cursor);
  throw new Error(`task ${name} not in run ${runId}`);
}
