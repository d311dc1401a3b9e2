import { Client } from 'pg';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

jest.setTimeout(120_000);

/**
 * Run starts that arrive together commit together (group commit). Whatever a
 * group holds (good starts, refused ones, a repeated idempotency key, runs
 * over a concurrency limit), each start must be answered as if it had been
 * alone: committed, visible and audited when answered 201, untouched when refused.
 */
describe('starting many runs at once', () => {
  let stack: FlowctlStack;
  let db: Client;

  beforeAll(async () => {
    stack = await FlowctlStack.start({ label: 'group-commit' });
    db = new Client({ connectionString: stack.database.url });
    await db.connect();
    const applied = await Promise.all([
      stack.api.applyYaml(
        aWorkflow({
          name: 'burst',
          spec: { inputs: { n: { type: 'integer' }, note: { type: 'string', default: '' } } },
          tasks: [
            { name: 'a', with: { n: '{{ inputs.n }}' } },
            { name: 'b', dependsOn: ['a'] },
          ],
        }),
      ),
      stack.api.applyYaml(aWorkflow({ name: 'three-at-a-time', spec: { concurrency: 3 }, tasks: [{ name: 'gate', type: 'approval' }] })),
    ]);
    expect(applied.map((response) => response.status)).toEqual([200, 200]);
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  async function auditedStarts(): Promise<{ target: string; statusCode: number; outcome: string }[]> {
    const { rows } = await db.query(`SELECT target, status_code AS "statusCode", outcome FROM audit_log WHERE action = 'run.start'`);
    return rows;
  }

  it('commits, shows, runs and audits every accepted start, refuses the bad ones alone, and answers a repeated key with one run', async () => {
    const auditedBefore = (await auditedStarts()).length;
    const good = Array.from({ length: 150 }, (_, n) => stack.api.post('/workflows/burst/runs', { inputs: { n } }));
    const badInputs = Array.from({ length: 20 }, () => stack.api.post('/workflows/burst/runs', { inputs: { n: 'not a number' } }));
    const unknownWorkflow = Array.from({ length: 10 }, () => stack.api.post('/workflows/no-such-burst/runs', {}));
    const keyed = Array.from({ length: 20 }, (_, i) =>
      [0, 1].map(() => stack.api.post('/workflows/burst/runs', { inputs: { n: i }, idempotencyKey: `key-${i}` })),
    );
    const [goodAnswers, badAnswers, unknownAnswers, keyedAnswers] = await Promise.all([
      Promise.all(good),
      Promise.all(badInputs),
      Promise.all(unknownWorkflow),
      Promise.all(keyed.map((pair) => Promise.all(pair))),
    ]);

    expect(goodAnswers.map((answer) => answer.status)).toEqual(goodAnswers.map(() => 201));
    expect(badAnswers.map((answer) => answer.status)).toEqual(badAnswers.map(() => 400));
    expect(unknownAnswers.map((answer) => answer.status)).toEqual(unknownAnswers.map(() => 404));
    for (const pair of keyedAnswers) {
      expect(pair.map((answer) => answer.status).sort()).toEqual([200, 201]);
      expect(pair[0]!.body.id).toBe(pair[1]!.body.id);
    }

    // Answered 201 means committed: each run is there at once, with its tasks.
    const createdIds = [...goodAnswers, ...keyedAnswers.map((pair) => pair[0]!)].map((answer) => answer.body.id as string);
    const { rows: stored } = await db.query(
      `SELECT r.id, r.inputs, count(t.id)::int AS tasks FROM runs r JOIN task_runs t ON t.run_id = r.id WHERE r.id = ANY($1::uuid[]) GROUP BY r.id`,
      [createdIds],
    );
    expect(stored).toHaveLength(170);
    expect(stored.every((row) => row.tasks === 2)).toBe(true);
    expect(stored.map((row) => row.inputs.n).sort((a, b) => a - b)).toEqual(
      [...Array.from({ length: 150 }, (_, n) => n), ...Array.from({ length: 20 }, (_, i) => i)].sort((a, b) => a - b),
    );
    const { rows: all } = await db.query(
      `SELECT count(*)::int AS runs, count(DISTINCT created_at)::int AS transactions FROM runs WHERE workflow_name = 'burst'`,
    );
    // Nothing else was stored (refused starts wrote nothing), and starts did share transactions.
    expect(all[0].runs).toBe(170);
    expect(all[0].transactions).toBeLessThan(170);

    const audited = (await auditedStarts()).slice(auditedBefore);
    const count = (statusCode: number, target: string) =>
      audited.filter((row) => row.statusCode === statusCode && row.target === target).length;
    expect(count(201, 'burst')).toBe(170);
    expect(count(200, 'burst')).toBe(20);
    expect(count(400, 'burst')).toBe(20);
    expect(count(404, 'no-such-burst')).toBe(10);
    expect(audited).toHaveLength(220);

    await waitFor(
      async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS done FROM runs WHERE workflow_name = 'burst' AND status = 'succeeded'`);
        return rows[0].done === 170 || undefined;
      },
      { timeoutMs: 60_000, what: 'every started run to succeed' },
    );
  });

  it('fails only the start that the database refuses, not the others of its group', async () => {
    // PostgreSQL's jsonb cannot hold U+0000: the group's transaction fails, and its starts are tried one by one.
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, n) => stack.api.post('/workflows/burst/runs', { inputs: { n, note: 'fine' } })),
      stack.api.post('/workflows/burst/runs', { inputs: { n: 99, note: 'nul \u0000 here' } }),
      ...Array.from({ length: 10 }, (_, n) => stack.api.post('/workflows/burst/runs', { inputs: { n, note: 'also fine' } })),
    ]);
    const poisoned = answers[10]!;
    expect([200, 201]).not.toContain(poisoned.status);
    const others = answers.filter((answer) => answer !== poisoned);
    expect(others.map((answer) => answer.status)).toEqual(others.map(() => 201));
    const { rows } = await db.query(`SELECT count(*)::int AS runs FROM runs WHERE id = ANY($1::uuid[])`, [
      others.map((answer) => answer.body.id as string),
    ]);
    expect(rows[0].runs).toBe(20);
    const { rows: poison } = await db.query(`SELECT count(*)::int AS runs FROM runs WHERE inputs->>'note' LIKE 'nul%'`);
    expect(poison[0].runs).toBe(0);
  });

  it('gives the slots of spec.concurrency to exactly as many runs of a group, a repeated key taking none', async () => {
    const starts = Array.from({ length: 10 }, () => stack.api.post('/workflows/three-at-a-time/runs', {}));
    const repeated = [0, 1, 2].map(() => stack.api.post('/workflows/three-at-a-time/runs', { idempotencyKey: 'once' }));
    const answers = await Promise.all([...starts, ...repeated]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, ...Array(11).fill(201)]);
    const { rows } = await db.query(
      `SELECT status, count(*)::int AS runs FROM runs WHERE workflow_name = 'three-at-a-time' GROUP BY status ORDER BY status`,
    );
    expect(rows).toEqual([
      { status: 'pending', runs: 8 },
      { status: 'running', runs: 3 },
    ]);
  });
});
