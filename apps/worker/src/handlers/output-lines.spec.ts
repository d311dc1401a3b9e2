import { MAX_OUTPUT_LINE_CHARS, OutputLines } from './output-lines';

function linesOf(chunks: Buffer[]): string[] {
  const lines: string[] = [];
  const splitter = new OutputLines((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('OutputLines', () => {
  it('passes each line on as soon as its newline arrives', () => {
    const lines: string[] = [];
    const splitter = new OutputLines((line) => lines.push(line));
    splitter.push(Buffer.from('one\ntw'));
    expect(lines).toEqual(['one']);
    splitter.push(Buffer.from('o\r\nthree'));
    expect(lines).toEqual(['one', 'two']);
    splitter.end();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('keeps a character split across two reads whole', () => {
    const bytes = Buffer.from('é\n');
    expect(linesOf([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(['é']);
  });

  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(linesOf([Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a])])).toEqual(['a\uFFFD\uFFFDb']);
  });

  it('cuts output without newlines into bounded pieces', () => {
    const lines = linesOf([Buffer.alloc(MAX_OUTPUT_LINE_CHARS * 2 + 10, 'x')]);
    expect(lines.map((line) => line.length)).toEqual([MAX_OUTPUT_LINE_CHARS, MAX_OUTPUT_LINE_CHARS, 10]);
  });

  it('ends a line cut exactly at a piece boundary without an empty line, however the reads fall', () => {
    const piece = Buffer.alloc(MAX_OUTPUT_LINE_CHARS, 'x');
    expect(linesOf([piece, piece, Buffer.from('\nnext\n')])).toEqual([piece.toString(), piece.toString(), 'next']);
    expect(linesOf([piece, Buffer.from('\r\n\n')])).toEqual([piece.toString(), '']);
  });
});
