import { deadLettersTable, runsTable, workersTable, workflowsTable } from './resource-tables';

const now = new Date('2026-01-01T12:00:00.000Z');

describe('resource tables', () => {
  it('lists workflows as NAME NAMESPACE VERSION UPDATED', () => {
    expect(workflowsTable([{ name: 'etl-daily', namespace: 'default', version: 3, updatedAt: '2026-01-01T11:57:00.000Z' }], now)).toBe(
      'NAME        NAMESPACE   VERSION   UPDATED\netl-daily   default     3         3m\n',
    );
  });

  it('lists runs with their age and duration, running ones measured to now', () => {
    const table = runsTable(
      [
        { id: 'r2', workflow: 'etl', status: 'running', createdAt: '2026-01-01T11:59:50.000Z', startedAt: '2026-01-01T11:59:51.000Z' },
        { id: 'r1', workflow: { name: 'etl' }, status: 'pending', createdAt: '2026-01-01T10:00:00.000Z' },
      ],
      now,
    );
    expect(table.split('\n')).toEqual([
      'ID   WORKFLOW   STATUS    CREATED   DURATION',
      'r2   etl        running   10s       9.0s',
      'r1   etl        pending   2h        -',
      '',
    ]);
  });

  it('lists workers with their types joined', () => {
    expect(
      workersTable(
        [{ id: 'w1', types: ['http', 'shell'], concurrency: 4, status: 'active', lastHeartbeatAt: '2026-01-01T11:59:58.000Z' }],
        now,
      ),
    ).toBe('ID   TYPES        CONCURRENCY   STATUS   LAST-HEARTBEAT\nw1   http,shell   4             active   2s\n');
  });

  it('lists dead letters with the error message on one line', () => {
    const table = deadLettersTable(
      [
        {
          id: '7',
          runId: 'r1',
          workflow: 'etl',
          task: 'load',
          type: 'http',
          attempt: 3,
          error: { type: 'HttpError', message: 'status 503\nfrom upstream' },
          deadAt: '2026-01-01T11:00:00.000Z',
        },
      ],
      now,
    );
    expect(table.split('\n')[1]).toBe('7    r1    etl        load   http   3         HttpError: status 503 from upstream   1h');
  });
});
