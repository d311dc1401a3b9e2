import { chunksOf, type NewTaskLogLine } from './task-log.repository';

describe('chunksOf', () => {
  const line = (message: string): NewTaskLogLine => ({
    ts: 1_000,
    level: 'info',
    stream: 'log',
    message,
    bytes: Buffer.byteLength(message),
  });

  it('keeps a small batch as one chunk, numbered from the first seq', () => {
    const chunks = chunksOf([line('a'), line('b'), line('c')], 41, 1_000, 1_024);
    expect(chunks).toEqual([
      {
        firstSeq: 41,
        lastSeq: 43,
        bytes: 3,
        lines: [
          [1_000, 'info', 'log', 'a'],
          [1_000, 'info', 'log', 'b'],
          [1_000, 'info', 'log', 'c'],
        ],
      },
    ]);
  });

  it('cuts at the most lines and bytes a chunk holds, a line past the bytes alone in its chunk, seqs running on', () => {
    const lines = [line('aa'), line('bb'), line('cc'), line('x'.repeat(10)), line('dd')];
    const byLines = chunksOf(lines, 1, 2, 1_000);
    expect(byLines.map((chunk) => [chunk.firstSeq, chunk.lastSeq])).toEqual([
      [1, 2],
      [3, 4],
      [5, 5],
    ]);
    const byBytes = chunksOf(lines, 1, 100, 5);
    expect(byBytes.map((chunk) => [chunk.firstSeq, chunk.lastSeq, chunk.bytes])).toEqual([
      [1, 2, 4],
      [3, 3, 2],
      [4, 4, 10],
      [5, 5, 2],
    ]);
  });

  it('makes no chunk of no lines', () => {
    expect(chunksOf([], 1, 10, 10)).toEqual([]);
  });
});
