import { Injectable } from '@nestjs/common';
import { NotFound } from '@flowctl/core';
import { EventStartRepository, RunRepository, type RunRow } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import type { Access } from '../auth/access';
import { RunChangeFeed } from './run-change-feed';

/** How long a read of a promised run waits for its creation before it says the run is not there yet. */
export const PROMISED_RUN_WAIT_MS = 5_000;

/**
 * An event's answer gives the ids of the runs it starts, and the runs are created a moment later
 * (docs/adr/0020-events-accepted-then-started.md). A client that reads such a run at once should get
 * the run, not a 404. So a run that is not found but still owed by an event is waited for: the run
 * change feed says when its creation commits (every new run's first history row notifies), for up to
 * PROMISED_RUN_WAIT_MS. Longer means the scheduler that accepted the event died and the leader has not
 * taken its runs over yet; that is a 404 saying so.
 */
@Injectable()
export class PromisedRuns {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly owed: EventStartRepository,
    private readonly feed: RunChangeFeed,
  ) {}

  /** The run, once created; undefined if no event owes it. A run owed in a namespace `access` cannot see is a 404. */
  async find(runId: string, access: Access): Promise<RunRow | undefined> {
    const owing = await this.owed.owing(this.dataSource, runId);
    if (!owing) return undefined;
    access.assertVisible(owing.namespace, `run ${runId} not found`);
    const run = await this.created(runId);
    if (!run) throw new NotFound(`run ${runId} is owed by event ${owing.eventId} and has not started yet: ask again in a minute`);
    return run;
  }

  /** Resolves with the run once it exists, or undefined after PROMISED_RUN_WAIT_MS. */
  private created(runId: string): Promise<RunRow | undefined> {
    return new Promise((resolve, reject) => {
      let reading = false;
      let again = false;
      let expired = false;
      const finish = (outcome: () => void) => {
        clearTimeout(deadline);
        unsubscribe();
        outcome();
      };
      const read = () => {
        // One read at a time; a notification during one asks for another after it.
        if (reading) return void (again = true);
        reading = true;
        this.runs.find(this.dataSource, runId).then(
          (run) => {
            reading = false;
            if (run || expired) return finish(() => resolve(run));
            if (again) {
              again = false;
              read();
            }
          },
          (error: unknown) => finish(() => reject(error)),
        );
      };
      // Subscribed before the first read, so a creation committed in between is not missed.
      const unsubscribe = this.feed.subscribeRun(runId, read);
      const deadline = setTimeout(() => {
        expired = true;
        read();
      }, PROMISED_RUN_WAIT_MS);
      read();
    });
  }
}
