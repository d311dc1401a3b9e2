import Anser from 'anser';
import type { LogLevel, LogLine, LogStream } from '../api/task-logs';

/** A run of text with one look. Rendered as a React text node: markup in a log line stays text. */
export interface LogSegment {
  text: string;
  /** Classes of the 16 named ANSI colours (`ansi-fg-red`), themed in the stylesheet, and decorations. */
  className?: string;
  /** 256-colour and true-colour values, as `rgb(r, g, b)` built from numbers only. */
  color?: string;
  background?: string;
  /** The part of the text the search matched. */
  match?: boolean;
}

const ESC = '\u001b';
const NAMED = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;
const PALETTE = /^ansi-palette-(\d{1,3})$/;
const RGB = /^(\d{1,3}), (\d{1,3}), (\d{1,3})$/;
const DECORATIONS = new Set(['bold', 'dim', 'italic', 'underline', 'strikethrough']);

/** xterm's 256-colour palette, beyond the 16 named colours: a 6×6×6 cube, then 24 greys. */
function paletteRgb(index: number): string | undefined {
  if (index >= 16 && index <= 231) {
    const n = index - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(n / 36))}, ${level(Math.floor(n / 6) % 6)}, ${level(n % 6)})`;
  }
  if (index >= 232 && index <= 255) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  return undefined;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** One of anser's colour values as a class or a CSS colour; anything else is dropped. */
function colourOf(value: string | null, truecolor: string | null, layer: 'fg' | 'bg'): { className?: string; css?: string } {
  if (!value) return {};
  const named = NAMED.exec(value);
  if (named) return { className: `ansi-${layer}-${named[1] ? 'bright-' : ''}${named[2]}` };
  const palette = PALETTE.exec(value);
  if (palette) {
    const index = Number(palette[1]);
    if (index < 16) return { className: `ansi-${layer}-${index >= 8 ? 'bright-' : ''}${NAMES[index % 8]}` };
    return { css: paletteRgb(index) };
  }
  if (value === 'ansi-truecolor' && truecolor) {
    const rgb = RGB.exec(truecolor);
    if (rgb && rgb.slice(1).every((part) => Number(part) <= 255)) return { css: `rgb(${rgb[1]}, ${rgb[2]}, ${rgb[3]})` };
  }
  return {};
}

/**
 * A message's ANSI SGR sequences (colours, bold, underline) as segments; every other escape sequence
 * is dropped. A message without an escape character is one plain segment, at no parsing cost.
 */
export function ansiSegments(message: string): LogSegment[] {
  if (!message.includes(ESC)) return message ? [{ text: message }] : [];
  const segments: LogSegment[] = [];
  for (const entry of Anser.ansiToJson(message, { json: true, use_classes: true, remove_empty: true })) {
    if (!entry.content) continue;
    const fg = colourOf(entry.fg, entry.fg_truecolor, 'fg');
    const bg = colourOf(entry.bg, entry.bg_truecolor, 'bg');
    const classes = [fg.className, bg.className, ...entry.decorations.filter((d) => DECORATIONS.has(d)).map((d) => `ansi-${d}`)].filter(
      Boolean,
    );
    const segment: LogSegment = { text: entry.content };
    if (classes.length > 0) segment.className = classes.join(' ');
    if (fg.css) segment.color = fg.css;
    if (bg.css) segment.background = bg.css;
    segments.push(segment);
  }
  return segments;
}

/** The message as it reads, without its escape sequences: what search matches and the copy holds. */
export function plainText(message: string): string {
  return message.includes(ESC) ? Anser.ansiToText(message) : message;
}

/** Splits segments where `query` occurs (case-insensitive, across segment borders), marking the matches. */
export function highlightSegments(segments: LogSegment[], query: string): LogSegment[] {
  if (!query) return segments;
  const whole = segments.map((segment) => segment.text).join('');
  const haystack = whole.toLowerCase();
  const needle = query.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    ranges.push([at, at + needle.length]);
  if (ranges.length === 0) return segments;

  const out: LogSegment[] = [];
  let offset = 0;
  for (const segment of segments) {
    const start = offset;
    const end = offset + segment.text.length;
    let cut = start;
    for (const [from, to] of ranges) {
      if (to <= cut || from >= end) continue;
      const matchFrom = Math.max(from, cut);
      const matchTo = Math.min(to, end);
      if (matchFrom > cut) out.push({ ...segment, text: whole.slice(cut, matchFrom) });
      out.push({ ...segment, text: whole.slice(matchFrom, matchTo), match: true });
      cut = matchTo;
    }
    if (cut < end) out.push({ ...segment, text: whole.slice(cut, end) });
    offset = end;
  }
  return out;
}

export interface LogFilter {
  /** Levels shown; a line of another level is hidden. */
  levels: ReadonlySet<LogLevel>;
  /** Streams shown. */
  streams: ReadonlySet<LogStream>;
  /** Text searched for, case-insensitive. */
  query: string;
  /** Hide lines without the query (otherwise they stay, and the matches are highlighted). */
  onlyMatches: boolean;
}

export function lineMatchesQuery(line: LogLine, query: string): boolean {
  return !query || plainText(line.message).toLowerCase().includes(query.toLowerCase());
}

export function lineShown(line: LogLine, filter: LogFilter): boolean {
  if (!filter.levels.has(line.level) || !filter.streams.has(line.stream)) return false;
  return !filter.onlyMatches || lineMatchesQuery(line, filter.query);
}

/** Whether the filter hides nothing, so the shown lines are all the lines. */
export function filterShowsAll(filter: LogFilter, levels: readonly LogLevel[], streams: readonly LogStream[]): boolean {
  return (
    levels.every((level) => filter.levels.has(level)) &&
    streams.every((stream) => filter.streams.has(stream)) &&
    !(filter.onlyMatches && filter.query)
  );
}

const filterKey = (filter: LogFilter) =>
  `${[...filter.levels].sort().join(',')}|${[...filter.streams].sort().join(',')}|${filter.onlyMatches ? filter.query.toLowerCase() : ''}`;

/**
 * The indexes of the shown lines, kept up to date as lines are appended: a live tail of a
 * 100,000-line log filters only the new lines, and only a change of filter reads them all again.
 */
export class ShownLines {
  private key = '';
  private lines: readonly LogLine[] | undefined;
  private seen = 0;
  private indexes: number[] = [];

  update(lines: readonly LogLine[], filter: LogFilter): readonly number[] {
    const key = filterKey(filter);
    // A new array (another attempt) or a new filter: start over. Appends keep the same array.
    if (key !== this.key || lines !== this.lines || lines.length < this.seen) {
      this.key = key;
      this.lines = lines;
      this.seen = 0;
      this.indexes = [];
    }
    for (; this.seen < lines.length; this.seen += 1) if (lineShown(lines[this.seen]!, filter)) this.indexes.push(this.seen);
    return this.indexes;
  }
}

/** Adds lines the log does not hold yet (a reconnected stream may resend some), in seq order. Returns how many. */
export function appendNewLines(lines: LogLine[], incoming: readonly LogLine[]): number {
  let added = 0;
  for (const line of incoming) {
    const last = lines[lines.length - 1];
    if (last && line.seq <= last.seq) continue;
    lines.push(line);
    added += 1;
  }
  return added;
}

/** The whole log as a text file: one line each, `time stream level message`, escape sequences kept. */
export function formatLogFile(lines: readonly LogLine[]): string {
  return lines.map((line) => `${line.ts} ${line.stream.padEnd(6)} ${line.level.padEnd(5)} ${line.message}\n`).join('');
}

/** `12:03:04.567` of an ISO timestamp, in the viewer's time zone. */
export function lineTime(ts: string): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return ts;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** The file name a download gets: the run, the task and the attempt, safe on every file system. */
export function logFileName(runId: string, task: string, attempt: number): string {
  return `${runId.slice(0, 8)}-${task.replace(/[^\w.-]+/g, '_')}-attempt-${attempt}.log`;
}
