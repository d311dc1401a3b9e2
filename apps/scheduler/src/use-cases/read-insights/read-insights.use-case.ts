import { Injectable } from '@nestjs/common';
import {
  InsightsRepository,
  InsightsRollupRepository,
  type CountBucketRow,
  type InsightsScope,
  type Queryable,
} from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { bucketStarts, type InsightsWindow } from './insights-window';

/** How many tasks the slowest and most-retried tables list. */
const TOP_TASKS = 10;

export interface ReadInsightsCommand {
  window: InsightsWindow;
  /** Undefined: every namespace. */
  namespaces?: readonly string[];
  workflow?: string;
}

/**
 * GET /insights: the queries of one window, side by side on the pool, and their sparse series laid on
 * every bucket of the window (a chart of an idle hour shows zeros, not a gap it would draw across).
 */
@Injectable()
export class ReadInsightsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly insights: InsightsRepository,
    private readonly rollups: InsightsRollupRepository,
  ) {}

  async execute(command: ReadInsightsCommand) {
    const { window } = command;
    const scope: InsightsScope = { since: window.since, until: window.until, namespaces: command.namespaces, workflow: command.workflow };
    const [outcomes, outcomesOverTime, slowest, retried, finished, queueWait, deadLetters] = window.rolledUp
      ? await this.fromRollups(scope, window)
      : await this.fromTaskRuns(scope, window);
    const starts = bucketStarts(window);
    const total = outcomes.find((row) => row.namespace === null);
    const {
      namespace: _n,
      workflow: _w,
      ...runs
    } = total ?? {
      namespace: null,
      workflow: null,
      started: 0,
      succeeded: 0,
      failed: 0,
      timedOut: 0,
      cancelled: 0,
      durationMs: { p50: null, p95: null, p99: null },
    };
    const outcomesByBucket = new Map(outcomesOverTime.map((row) => [row.at.getTime(), row]));
    const minutesPerBucket = window.bucketSeconds / 60;
    return {
      window: { since: window.since.toISOString(), until: window.until.toISOString(), bucketSeconds: window.bucketSeconds },
      workflow: command.workflow ?? null,
      runs,
      workflows: outcomes
        .filter((row) => row.namespace !== null)
        .map((row) => ({ ...row, namespace: row.namespace!, workflow: row.workflow! })),
      runsOverTime: starts.map((at) => {
        const row = outcomesByBucket.get(at.getTime());
        return {
          at: at.toISOString(),
          succeeded: row?.succeeded ?? 0,
          failed: row?.failed ?? 0,
          timedOut: row?.timedOut ?? 0,
          cancelled: row?.cancelled ?? 0,
        };
      }),
      taskThroughput: onBuckets(starts, finished).map(({ at, count }) => ({ at, tasks: count, perMinute: count / minutesPerBucket })),
      slowestTasks: slowest,
      mostRetriedTasks: retried,
      queueWait,
      deadLettersOverTime: onBuckets(starts, deadLetters),
    };
  }

  private fromTaskRuns(scope: InsightsScope, window: InsightsWindow) {
    return Promise.all([
      this.read((db) => this.insights.runOutcomes(db, scope)),
      this.read((db) => this.insights.runOutcomesOverTime(db, scope, window.bucketSeconds)),
      this.read((db) => this.insights.slowestTasks(db, scope, TOP_TASKS)),
      this.read((db) => this.insights.mostRetriedTasks(db, scope, TOP_TASKS)),
      this.read((db) => this.insights.tasksFinishedOverTime(db, scope, window.bucketSeconds)),
      this.read((db) => this.insights.queueWaitByType(db, scope)),
      this.read((db) => this.insights.deadLettersOverTime(db, scope, window.bucketSeconds)),
    ]);
  }

  /** The time rolled up so far (and within the window) from the rollups; the rest, to `until`, from the tables themselves. */
  private async fromRollups(scope: InsightsScope, window: InsightsWindow) {
    const rolledTo = this.rollups.rolledTo(scope, await this.rollups.rolledUntil(this.dataSource));
    return Promise.all([
      this.read((db) => this.rollups.runOutcomes(db, scope, rolledTo)),
      this.read((db) => this.rollups.runOutcomesOverTime(db, scope, rolledTo, window.bucketSeconds)),
      this.read((db) => this.rollups.slowestTasks(db, scope, rolledTo, TOP_TASKS)),
      this.read((db) => this.rollups.mostRetriedTasks(db, scope, rolledTo, TOP_TASKS)),
      this.read((db) => this.rollups.tasksFinishedOverTime(db, scope, rolledTo, window.bucketSeconds)),
      this.read((db) => this.rollups.queueWaitByType(db, scope, rolledTo)),
      this.read((db) => this.insights.deadLettersOverTime(db, scope, window.bucketSeconds)),
    ]);
  }

  /** One query on a connection of its own, side by side with the others on the pool (see InsightsRepository.serialPlans). */
  private read<T>(query: (db: Queryable) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await this.insights.serialPlans(tx);
      return query(tx);
    });
  }
}

export type Insights = Awaited<ReturnType<ReadInsightsUseCase['execute']>>;

function onBuckets(starts: readonly Date[], rows: readonly CountBucketRow[]): { at: string; count: number }[] {
  const counts = new Map(rows.map((row) => [row.at.getTime(), row.count]));
  return starts.map((at) => ({ at: at.toISOString(), count: counts.get(at.getTime()) ?? 0 }));
}
