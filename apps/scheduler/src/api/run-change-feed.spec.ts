import type { RunRepository, RunRow } from '@flowctl/persistence';
import type { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../config/scheduler-config';
import { RunChangeFeed } from './run-change-feed';

// @nestjs/common ships as ESM, which Jest's module loader cannot require: stand in for the little used here.
jest.mock('@nestjs/common', () => ({
  Injectable: () => () => undefined,
  Inject: () => () => undefined,
  Logger: class {
    warn(): void {}
  },
}));

const row = (id: string, workflowName = 'etl') => ({ id, workflowName }) as RunRow;

function aFeed(findMany = jest.fn(async (_db: unknown, ids: readonly string[]) => ids.map((id) => row(id)))) {
  const feed = new RunChangeFeed(
    { databaseUrl: 'postgres://unused' } as SchedulerConfig,
    {} as DataSource,
    { findMany } as unknown as RunRepository,
  );
  return { feed, findMany };
}

describe('RunChangeFeed', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("fans one notification out to every subscriber of that run, and to no other run's", () => {
    const { feed } = aFeed();
    const [a1, a2, b] = [jest.fn(), jest.fn(), jest.fn()];
    feed.subscribeRun('a', a1);
    feed.subscribeRun('a', a2);
    feed.subscribeRun('b', b);
    feed.onRunChanged('a');
    expect(a1).toHaveBeenCalledWith('a');
    expect(a2).toHaveBeenCalledWith('a');
    expect(b).not.toHaveBeenCalled();
  });

  it('stops calling a subscriber once it unsubscribed, and forgets the run', () => {
    const { feed } = aFeed();
    const listener = jest.fn();
    const unsubscribe = feed.subscribeRun('a', listener);
    expect(feed.subscriberCount).toBe(1);
    unsubscribe();
    feed.onRunChanged('a');
    expect(listener).not.toHaveBeenCalled();
    expect(feed.subscriberCount).toBe(0);
  });

  it('tells every subscriber to catch up after the listener reconnected', () => {
    const { feed } = aFeed();
    const run = jest.fn();
    const list = jest.fn();
    feed.subscribeRun('a', run);
    feed.subscribeSummaries(list);
    feed.onRunChanged(undefined);
    expect(run).toHaveBeenCalledWith(undefined);
    expect(list).toHaveBeenCalledWith('resync');
  });

  it('reads the changed runs once per batch for all runs-list subscribers together', async () => {
    const { feed, findMany } = aFeed();
    const [first, second] = [jest.fn(), jest.fn()];
    feed.subscribeSummaries(first);
    feed.subscribeSummaries(second);
    for (const id of ['a', 'b', 'a', 'c', 'b']) feed.onRunChanged(id);
    expect(findMany).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(300);
    expect(findMany).toHaveBeenCalledTimes(1);
    expect(findMany.mock.calls[0]![1]).toEqual(['a', 'b', 'c']);
    expect(first).toHaveBeenCalledWith([row('a'), row('b'), row('c')]);
    expect(second).toHaveBeenCalledWith([row('a'), row('b'), row('c')]);
  });

  it('reads nothing while no runs list is open', async () => {
    const { feed, findMany } = aFeed();
    feed.onRunChanged('a');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(findMany).not.toHaveBeenCalled();
  });

  it('closes every open stream at shutdown, so the HTTP server can close', async () => {
    const { feed } = aFeed();
    const handlers: (() => void)[] = [];
    const stream = { close: jest.fn(() => handlers.forEach((h) => h())), onClose: (h: () => void) => handlers.push(h) };
    feed.track(stream);
    await feed.beforeApplicationShutdown();
    expect(stream.close).toHaveBeenCalledTimes(1);
    expect(feed.isShuttingDown).toBe(true);
  });
});
