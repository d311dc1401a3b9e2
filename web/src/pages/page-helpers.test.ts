import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Run } from '@flowctl/api-contract';
import { requeueAll } from './dead-letters-page';
import { filterFromSearch, matchesFilter } from './runs-page';
import { successRate } from './workflows-page';

const run = (fields: Partial<Run>): Run => ({
  id: 'r',
  workflow: 'etl',
  namespace: 'default',
  version: 1,
  status: 'running',
  inputs: {},
  idempotencyKey: null,
  tasksTotal: 1,
  tasksOpen: 1,
  createdAt: '2026-01-31T12:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  deadlineAt: null,
  scheduledFor: null,
  parentRunId: null,
  parentTaskRunId: null,
  ...fields,
});

describe('the runs list filter', () => {
  it('reads workflow, status and a preset time range from the URL', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(filterFromSearch(new URLSearchParams('workflow=etl&status=failed&range=1h'), now)).toEqual({
      workflow: 'etl',
      status: 'failed',
      from: '2026-01-31T11:00:00.000Z',
      to: undefined,
      cursor: undefined,
      limit: 50,
    });
    expect(filterFromSearch(new URLSearchParams('range=custom&from=2026-01-01T00:00:00.000Z&to=2026-01-02T00:00:00.000Z'))).toMatchObject({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
  });

  it('admits a live new run only when it matches the filter', () => {
    const filter = { workflow: 'etl', status: 'running' as const, from: '2026-01-31T11:00:00.000Z', to: '2026-01-31T13:00:00.000Z' };
    expect(matchesFilter(run({}), filter)).toBe(true);
    expect(matchesFilter(run({ workflow: 'other' }), filter)).toBe(false);
    expect(matchesFilter(run({ status: 'failed' }), filter)).toBe(false);
    expect(matchesFilter(run({ createdAt: '2026-01-31T13:00:00.000Z' }), filter)).toBe(false);
  });
});

describe('successRate', () => {
  it('counts finished runs only', () => {
    expect(
      successRate([run({ status: 'succeeded' }), run({ status: 'failed' }), run({ status: 'running' }), run({ status: 'succeeded' })]),
    ).toEqual({ rate: 2 / 3, finished: 3 });
    expect(successRate([run({ status: 'running' })])).toBeUndefined();
  });
});

describe('requeueAll', () => {
  it('requeues every letter and reports the refused ones with the reason', async () => {
    const result = await requeueAll(['1', '2', '3'], async (id) => {
      if (id === '2') throw new ApiError(409, 'dead letter 2 was already requeued');
      return { id, runId: 'r', task: 't', attempt: 2 };
    });
    expect(result).toEqual({ done: ['1', '3'], refused: [{ id: '2', message: 'dead letter 2 was already requeued' }] });
  });
});
