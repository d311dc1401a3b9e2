import type { TaskRunRow } from '@flowctl/persistence';
import { stillLost } from './still-lost';

const aTask = (id: string, overrides: Partial<TaskRunRow> = {}) => ({ id, status: 'queued', attempt: 1, ...overrides }) as TaskRunRow;

/** Reports up to the pass's mark are applied when the test says so; PostgreSQL may be read only after that. */
function aWorld(afterSettling: TaskRunRow[]) {
  let settled = false;
  let active = true;
  let checks = 0;
  let marks = 0;
  return {
    options: {
      results: {
        mark: async () => (marks++, '1700000000000-0'),
        isSettledThrough: async () => (checks++, settled),
      },
      findByIds: async (ids: string[]) => {
        if (!settled) throw new Error('read the tasks again before the earlier reports were applied');
        return afterSettling.filter((task) => ids.includes(task.id));
      },
      isActive: () => active,
      waitMs: 60_000,
    },
    checks: () => checks,
    marks: () => marks,
    settle: () => (settled = true),
    stop: () => (active = false),
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('stillLost', () => {
  it('does not count as lost a task whose job was trimmed while its report was still on its way', async () => {
    const world = aWorld([aTask('7', { status: 'succeeded' })]);
    const answer = stillLost([aTask('7')], world.options);
    await until(() => world.checks() >= 2);
    world.settle();
    expect(await answer).toEqual([]);
  });

  it('counts as lost what is still in flight at the same attempt once the reports sent before are applied', async () => {
    const world = aWorld([aTask('7'), aTask('8', { attempt: 2 }), aTask('9', { status: 'cancelled' }), aTask('10', { status: 'running' })]);
    const answer = stillLost([aTask('7'), aTask('8'), aTask('9'), aTask('10', { status: 'running' })], world.options);
    await until(() => world.checks() >= 1);
    world.settle();
    expect((await answer)?.map((task) => task.id)).toEqual(['7', '10']);
    expect(world.marks()).toBe(1);
  });

  it('answers at once when nothing is waiting to be applied (Redis lost its data)', async () => {
    const world = aWorld([aTask('7')]);
    world.settle();
    expect((await stillLost([aTask('7')], world.options))?.map((task) => task.id)).toEqual(['7']);
  });

  it('gives no answer when its caller stops before the reports are applied', async () => {
    const world = aWorld([aTask('7')]);
    const answer = stillLost([aTask('7')], world.options);
    await until(() => world.checks() >= 1);
    world.stop();
    expect(await answer).toBeUndefined();
  });

  it('gives no answer when the reports are not applied in time', async () => {
    const world = aWorld([aTask('7')]);
    expect(await stillLost([aTask('7')], { ...world.options, waitMs: 300 })).toBeUndefined();
    expect(world.checks()).toBeGreaterThan(1);
  });
});
