import { queryRows, type Queryable } from '../queryable';
import { withWrites, type Statement } from '../statement';

/**
 * What rows a deferred write touches, which decides the statements it may ride in:
 * - `in-flight-tasks`: task runs that were queued or running (a worker's report);
 * - `deciding-tasks`: task runs that were pending (queued, skipped or failed by the engine);
 * - `history`: appends (events, dead letters) that no engine statement reads back;
 * - `runs`: runs of this unit of work (their end, or the counts of those that stay open): no counter
 *   statement carries these, since counting updates runs too; they go with the transaction's last
 *   writes, or before any read. Their run ids are passed as touched, so one run is never written
 *   twice in one statement.
 */
type WriteScope = 'in-flight-tasks' | 'deciding-tasks' | 'history' | 'runs';

/**
 * Releasing dependents and counting fan-out instances update counters on task runs no worker reports
 * on (pending dependents, running fan-out tasks): they may carry writes that cannot touch those rows.
 */
const TASK_COUNTERS_CARRY: ReadonlySet<WriteScope> = new Set(['in-flight-tasks', 'history']);
/** Counting closed tasks updates runs only: it may carry any task or history write. */
const RUN_COUNTERS_CARRY: ReadonlySet<WriteScope> = new Set(['in-flight-tasks', 'deciding-tasks', 'history']);

interface DeferredWrite {
  statement: Statement;
  scope: WriteScope;
}

/**
 * Writes whose results nobody needs at once wait here and travel inside the
 * next statement that can carry them (as data-modifying CTEs), so a hop costs
 * a few round trips instead of one per write. Any other statement sent through
 * `queryable` first sends what is waiting, so reads always see every earlier
 * write and the order of effects is the order the code wrote them in.
 *
 * Callers say what a write is (a task's outcome, the engine's decision on a
 * pending task, history, a run's end) and which counters a statement updates;
 * which writes may share which statement is this module's business alone.
 */
export class PendingWrites {
  private waiting: DeferredWrite[] = [];
  /** Row ids (task runs, runs) that waiting writes touch: two writes of one row must not share a statement. */
  private touched = new Set<string>();
  readonly queryable: Queryable;

  constructor(private readonly tx: Queryable) {
    this.queryable = { query: async (sql, parameters) => (await this.flush(), tx.query(sql, parameters)) };
  }

  /** Outcomes of task runs that were queued or running (a worker's report, a timeout): one write per row per statement. */
  taskOutcomes(statement: Statement | undefined, taskRunIds: readonly string[]): Promise<void> {
    return this.defer(statement, 'in-flight-tasks', taskRunIds);
  }

  /** The engine's decisions on pending task runs (queued, skipped, failed at admission). */
  taskDecisions(statement: Statement | undefined, taskRunIds: readonly string[]): Promise<void> {
    return this.defer(statement, 'deciding-tasks', taskRunIds);
  }

  /** Appends no engine statement reads back: events, dead letters, audit entries. */
  history(statement: Statement | undefined): Promise<void> {
    return this.defer(statement, 'history');
  }

  /** Writes of this transaction's runs (their end, or the counts of those that stay open). */
  runs(statement: Statement | undefined, runIds: readonly string[]): Promise<void> {
    return this.defer(statement, 'runs', runIds);
  }

  /** Updates task-run counters (releasing dependents, counting fan-out instances) and answers the rows, carrying what it can. */
  updateTaskCounters<T>(statement: Statement): Promise<T[]> {
    return this.query<T>(statement, TASK_COUNTERS_CARRY);
  }

  /** Updates runs' task counters and answers the runs, carrying every waiting task and history write. */
  updateRunCounters<T>(statement: Statement): Promise<T[]> {
    return this.query<T>(statement, RUN_COUNTERS_CARRY);
  }

  private async defer(statement: Statement | undefined, scope: WriteScope, ids: readonly string[] = []): Promise<void> {
    if (!statement) return;
    if (ids.some((id) => this.touched.has(id))) await this.flush();
    this.waiting.push({ statement, scope });
    for (const id of ids) this.touched.add(id);
  }

  /** Runs `main` with every waiting write whose scope `carries` allows; the others are sent first, on their own. */
  private async query<T>(main: Statement, carries: ReadonlySet<WriteScope>): Promise<T[]> {
    if (this.waiting.some((write) => !carries.has(write.scope))) await this.flush();
    const combined = withWrites(this.take(), main);
    return queryRows<T>(this.tx, combined.sql, combined.parameters);
  }

  /** Sends everything waiting in one statement, with `main` (if given) at its end. */
  async flush(main?: Statement): Promise<void> {
    const combined = this.takeAll(main);
    if (combined) await this.tx.query(combined.sql, combined.parameters);
  }

  /**
   * The transaction's last writes: everything waiting, with `main`, in one statement that travels
   * with the COMMIT (one round trip for both) where the transaction can carry it, else sent now.
   */
  async flushWithCommit(main?: Statement): Promise<void> {
    if (!this.tx.sendWithCommit) return this.flush(main);
    const combined = this.takeAll(main);
    if (combined) this.tx.sendWithCommit(combined);
  }

  /** Everything waiting, with `main` at its end, as one statement; undefined when there is nothing to send. */
  private takeAll(main: Statement | undefined): Statement | undefined {
    if (this.waiting.length === 0 && !main) return undefined;
    return withWrites(this.take(), main ?? { sql: 'SELECT 1', parameters: [] });
  }

  private take(): Statement[] {
    const statements = this.waiting.map((write) => write.statement);
    this.waiting = [];
    this.touched.clear();
    return statements;
  }
}
