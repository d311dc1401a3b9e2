import { Query, type ClientBase, type QueryResult, type Submittable } from 'pg';
// pg's own value mapping (dates, arrays, buffers, toPostgres), the one every pg query uses.
import { prepareValue } from 'pg/lib/utils';

/**
 * What of pg's Query a group builds on; @types/pg declares only its public face. pg is pinned exactly
 * (package.json) and test/dependency-tripwires.test.ts names each internal used here if an upgrade moves it.
 */
interface QueryInternals {
  callback?: (error: Error | null, results: QueryResult | QueryResult[]) => void;
  handleCommandComplete(message: unknown, connection: unknown): void;
  handleError(error: Error, connection: unknown): void;
}
const PgQuery = Query as unknown as new (text: string) => QueryInternals;

/** Which statement of its group an error came from. */
const failedStatement = new WeakMap<object, number>();

/** The index in its group of the statement that failed with `error`; undefined for an error of no group. */
export function failedStatementOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? failedStatement.get(error) : undefined;
}

/** One statement of a group: named when the connection should keep it prepared. */
export interface GroupedStatement {
  text: string;
  values?: unknown[];
  name?: string;
}

/** The pg wire connection, as far as a group writes to it (the same calls pg's own Query makes). */
interface WireConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name?: string }): void;
  bind(config: { portal: string; statement?: string; values: unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  sync(): void;
}

/**
 * Several statements in one round trip: each one's Parse (when this connection has not prepared it),
 * Bind, Describe and Execute, then one Sync. The server runs them in order and, after an error,
 * skips everything up to the Sync, so a later statement never runs when an earlier one failed: this
 * is what lets `BEGIN` travel with the first statement of a transaction and `COMMIT` with the last
 * (if that statement fails, the COMMIT is skipped and the transaction stays aborted for a ROLLBACK).
 *
 * It is a pg `Query` (a Submittable, the interface pg-cursor uses), so pg's own result handling
 * collects one result per statement. pg records a statement as parsed when its ParseComplete
 * arrives, reading the active query's `name`; here `name` is the name of the statement the server
 * is working on (the count of statements completed so far says which), so that bookkeeping stays
 * right for every statement of the group.
 */
export class StatementGroup extends PgQuery {
  private readonly done: Promise<QueryResult[]>;
  private completed = 0;
  /** Indexes of the statements sent with a Parse of their name. */
  private readonly parsing = new Set<number>();
  private connection?: WireConnection;

  /** Sends the statements in one round trip on `client`; one result per statement, in order. */
  static send(client: ClientBase, statements: readonly GroupedStatement[]): Promise<QueryResult[]> {
    const group = new StatementGroup(statements);
    client.query(group as unknown as Submittable);
    return group.done;
  }

  private constructor(private readonly statements: readonly GroupedStatement[]) {
    super(statements[0]?.text ?? '');
    let settle!: (error: Error | null, results?: QueryResult[]) => void;
    this.done = new Promise<QueryResult[]>((resolve, reject) => {
      settle = (error, results) => (error ? reject(error) : resolve(results ?? []));
    });
    // pg answers one result for a single statement and an array for several.
    this.callback = (error, results) => (error ? settle(error) : settle(null, Array.isArray(results) ? results : [results]));
  }

  /** What pg reads when a ParseComplete arrives: the statement being worked on, if it was parsed in this group. */
  get name(): string | undefined {
    return this.parsing.has(this.completed) ? this.statements[this.completed]?.name : undefined;
  }
  set name(_ignored: string | undefined) {
    // pg's constructor assigns it from the config; the getter above is the truth.
  }

  /** What pg records as the text of the statement just parsed (it checks later uses of the name against it). */
  get text(): string {
    // `statements` is unset while pg's constructor runs, but that only writes `text`.
    return this.statements?.[Math.min(this.completed, this.statements.length - 1)]?.text ?? '';
  }
  set text(_ignored: string) {
    // As for `name`.
  }

  submit(connection: WireConnection): Error | null {
    this.connection = connection;
    const mapped: unknown[][] = [];
    try {
      // Before anything is written: a value pg cannot send fails the group with nothing on the wire.
      for (const statement of this.statements) mapped.push((statement.values ?? []).map((value) => prepareValue(value)));
    } catch (error) {
      // pg hands it to handleError next; the statement it names is the one whose value failed.
      if (typeof error === 'object' && error !== null) failedStatement.set(error, mapped.length);
      return error as Error;
    }
    connection.stream.cork?.();
    try {
      this.statements.forEach((statement, index) => {
        const named = statement.name !== undefined;
        if (
          !named ||
          (connection.parsedStatements[statement.name!] === undefined && !connection.submittedNamedStatements[statement.name!])
        ) {
          connection.parse({ text: statement.text, name: statement.name });
          if (named) {
            this.parsing.add(index);
            connection.submittedNamedStatements[statement.name!] = statement.text;
          }
        }
        connection.bind({ portal: '', statement: statement.name, values: mapped[index]! });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  override handleCommandComplete(message: unknown, connection: unknown): void {
    super.handleCommandComplete(message, connection);
    this.completed += 1;
  }

  override handleError(error: Error, connection: unknown): void {
    if (!failedStatement.has(error)) failedStatement.set(error, this.completed);
    // The server skipped the Parse of every statement after the failed one: they are not prepared.
    for (const index of this.parsing) {
      if (index <= this.completed) continue;
      const name = this.statements[index]!.name!;
      if (this.connection) delete this.connection.submittedNamedStatements[name];
    }
    super.handleError(error, connection);
  }
}
