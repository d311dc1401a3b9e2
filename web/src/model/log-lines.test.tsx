import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../api/task-logs';
import {
  ansiSegments,
  appendNewLines,
  formatLogFile,
  highlightSegments,
  lineShown,
  logFileName,
  plainText,
  ShownLines,
  type LogFilter,
} from './log-lines';

const line = (seq: number, message: string, extra: Partial<LogLine> = {}): LogLine => ({
  seq,
  ts: '2026-12-07T03:00:00.000Z',
  level: 'info',
  stream: 'stdout',
  message,
  ...extra,
});
const everything = (query = '', onlyMatches = false): LogFilter => ({
  levels: new Set(['debug', 'info', 'warn', 'error']),
  streams: new Set(['log', 'stdout', 'stderr', 'system']),
  query,
  onlyMatches,
});

describe('ansiSegments', () => {
  it('turns SGR colours and decorations into themed classes', () => {
    expect(ansiSegments('\u001b[31mred\u001b[0m plain \u001b[1;92mbright\u001b[0m')).toEqual([
      { text: 'red', className: 'ansi-fg-red' },
      { text: ' plain ' },
      { text: 'bright', className: 'ansi-fg-bright-green ansi-bold' },
    ]);
  });

  it('gives 256-colour and true-colour values as rgb() built from numbers', () => {
    expect(ansiSegments('\u001b[38;5;196mhot\u001b[0m')).toEqual([{ text: 'hot', color: 'rgb(255, 0, 0)' }]);
    expect(ansiSegments('\u001b[38;5;9mnamed\u001b[0m')).toEqual([{ text: 'named', className: 'ansi-fg-bright-red' }]);
    expect(ansiSegments('\u001b[48;2;10;20;30mdeep\u001b[0m')).toEqual([{ text: 'deep', background: 'rgb(10, 20, 30)' }]);
  });

  it('leaves a line without escapes as one segment, and drops cursor movement', () => {
    expect(ansiSegments('just text')).toEqual([{ text: 'just text' }]);
    expect(plainText('\u001b[2K\u001b[1Gprogress 50%')).toBe('progress 50%');
  });

  it('renders markup in a line as text, never as elements', () => {
    const { container } = render(
      <div>
        {ansiSegments('\u001b[31m<img src=x onerror=alert(1)>\u001b[0m <b>bold</b>').map((segment, i) => (
          <span key={i} className={segment.className}>
            {segment.text}
          </span>
        ))}
      </div>,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> <b>bold</b>');
  });
});

describe('highlightSegments', () => {
  it('marks every match, case-insensitive, across the borders of coloured segments', () => {
    const segments = ansiSegments('\u001b[31mErr\u001b[0mor: error again');
    expect(highlightSegments(segments, 'ERROR')).toEqual([
      { text: 'Err', className: 'ansi-fg-red', match: true },
      { text: 'or', match: true },
      { text: ': ' },
      { text: 'error', match: true },
      { text: ' again' },
    ]);
  });

  it('leaves the segments alone without a query or a match', () => {
    const segments = [{ text: 'abc' }];
    expect(highlightSegments(segments, '')).toBe(segments);
    expect(highlightSegments(segments, 'zzz')).toBe(segments);
  });
});

describe('filters', () => {
  it('hides lines of levels and streams switched off, and non-matching lines when asked', () => {
    const filter: LogFilter = { ...everything('disk', true), levels: new Set(['warn', 'error']), streams: new Set(['stderr', 'stdout']) };
    expect(lineShown(line(1, 'disk full', { level: 'error', stream: 'stderr' }), filter)).toBe(true);
    expect(lineShown(line(2, 'disk full', { level: 'info' }), filter)).toBe(false);
    expect(lineShown(line(3, 'disk full', { level: 'warn', stream: 'system' }), filter)).toBe(false);
    expect(lineShown(line(4, 'memory low', { level: 'warn' }), filter)).toBe(false);
    // The search reads the text as shown: escape sequences do not break a match.
    expect(lineShown(line(5, 'di\u001b[1msk\u001b[0m', { level: 'warn' }), filter)).toBe(true);
  });

  it('filters only the appended lines of a growing log, and all of them again when the filter changes', () => {
    let reads = 0;
    const lines: LogLine[] = new Proxy([line(1, 'a'), line(2, 'b', { level: 'error' })], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    const shown = new ShownLines();
    const errors: LogFilter = { ...everything(), levels: new Set(['error']) };
    expect(shown.update(lines, errors)).toEqual([1]);
    appendNewLines(lines, [line(3, 'c', { level: 'error' })]);
    reads = 0;
    expect(shown.update(lines, errors)).toEqual([1, 2]);
    expect(reads).toBe(1);
    expect(shown.update(lines, everything())).toEqual([0, 1, 2]);
    expect(reads).toBe(4);
  });
});

describe('appendNewLines', () => {
  it('skips lines a reconnected stream sends again', () => {
    const lines = [line(1, 'a'), line(2, 'b')];
    expect(appendNewLines(lines, [line(2, 'b'), line(3, 'c'), line(3, 'c')])).toBe(1);
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
  });
});

describe('the downloaded file', () => {
  it('holds one line per log line with its time, stream and level', () => {
    expect(formatLogFile([line(1, 'hello'), line(2, 'oops', { level: 'error', stream: 'stderr' })])).toBe(
      '2026-12-07T03:00:00.000Z stdout info  hello\n2026-12-07T03:00:00.000Z stderr error oops\n',
    );
    expect(logFileName('0123456789abcdef', 'each[3]/x', 2)).toBe('01234567-each_3_x-attempt-2.log');
  });
});
