/** One SQL statement with its own `$1..$n` parameters, built now and sent later (possibly inside another). */
export interface Statement {
  sql: string;
  parameters: unknown[];
}

/**
 * One statement that runs `writes` as data-modifying CTEs ahead of `main`, with
 * their placeholders renumbered. PostgreSQL runs every data-modifying CTE
 * exactly once, on the statement's snapshot, so the writes must not touch rows
 * that `main` (or another write) touches: callers guarantee that.
 */
export function withWrites(writes: readonly Statement[], main: Statement): Statement {
  if (writes.length === 0) return main;
  const parameters: unknown[] = [];
  const ctes = writes.map((write, index) => `w${index} AS (${shifted(write, parameters)})`);
  return { sql: `WITH ${ctes.join(',\n')}\n${shifted(main, parameters)}`, parameters };
}

function shifted(statement: Statement, parameters: unknown[]): string {
  const offset = parameters.length;
  parameters.push(...statement.parameters);
  return offset === 0 ? statement.sql : statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
