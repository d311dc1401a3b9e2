import { withWrites } from './statement';

describe('withWrites', () => {
  it('returns the main statement untouched when nothing is pending', () => {
    const main = { sql: 'SELECT $1::int', parameters: [1] };
    expect(withWrites([], main)).toBe(main);
  });

  it('puts the writes ahead as CTEs and renumbers every placeholder after the first statement', () => {
    const combined = withWrites(
      [
        { sql: 'UPDATE a SET x = $1 WHERE id = $2', parameters: ['x', 1] },
        { sql: 'INSERT INTO b SELECT * FROM unnest($1::int[])', parameters: [[5, 6]] },
      ],
      { sql: 'UPDATE c SET y = $2 WHERE id = $1 RETURNING $1', parameters: [9, 'y'] },
    );
    expect(combined.sql).toBe(
      'WITH w0 AS (UPDATE a SET x = $1 WHERE id = $2),\nw1 AS (INSERT INTO b SELECT * FROM unnest($3::int[]))\nUPDATE c SET y = $5 WHERE id = $4 RETURNING $4',
    );
    expect(combined.parameters).toEqual(['x', 1, [5, 6], 9, 'y']);
  });

  it('renumbers two-digit placeholders as numbers, not as text', () => {
    const write = { sql: 'UPDATE a SET x = $10', parameters: Array.from({ length: 10 }, (_, i) => i) };
    const combined = withWrites([write, write], { sql: 'SELECT 1', parameters: [] });
    expect(combined.sql).toContain('w1 AS (UPDATE a SET x = $20)');
  });
});
