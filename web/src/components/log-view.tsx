import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import { readWholeTaskLog, LOG_LEVELS, LOG_STREAMS, type LogLevel, type LogLine, type LogStream } from '../api/task-logs';
import { useTaskLog, type TaskLogLive } from '../hooks/use-task-log';
import type { Attempt } from '../model/attempts';
import {
  ansiSegments,
  filterShowsAll,
  formatLogFile,
  highlightSegments,
  lineTime,
  logFileName,
  ShownLines,
  type LogFilter,
} from '../model/log-lines';
import { ErrorNotice } from './error-notice';

/** Rows are one line high (long lines scroll sideways), so the list is a plain multiplication. */
export const LOG_ROW_HEIGHT = 20;
/** Within this many pixels of the end counts as "at the bottom": follow mode goes on again. */
const BOTTOM_SLACK = LOG_ROW_HEIGHT * 1.5;

const STREAM_LABEL: Record<LogStream, string> = { log: 'log', stdout: 'out', stderr: 'err', system: 'sys' };
const LIVE_LABEL: Record<TaskLogLive, string> = {
  off: '',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  ended: 'attempt over',
};

const LogRow = memo(function LogRow({ line, query, top }: { line: LogLine; query: string; top: number }) {
  const segments = useMemo(() => highlightSegments(ansiSegments(line.message), query), [line.message, query]);
  return (
    <div className={`log-row level-${line.level} stream-${line.stream}`} style={{ transform: `translateY(${top}px)` }} data-seq={line.seq}>
      <span className="log-number" aria-hidden="true">
        {line.seq}
      </span>
      <span className="log-time" title={line.ts}>
        {lineTime(line.ts)}
      </span>
      <span className="log-stream" title={line.stream}>
        {STREAM_LABEL[line.stream] ?? line.stream}
      </span>
      <span className="log-level">{line.level}</span>
      <span className="log-message">
        {segments.map((segment, i) => {
          const style = segment.color || segment.background ? { color: segment.color, background: segment.background } : undefined;
          return segment.match ? (
            <mark key={i} className={segment.className} style={style}>
              {segment.text}
            </mark>
          ) : segment.className || style ? (
            <span key={i} className={segment.className} style={style}>
              {segment.text}
            </span>
          ) : (
            segment.text
          );
        })}
      </span>
    </div>
  );
});

function Toggles<T extends string>({
  label,
  all,
  on,
  onChange,
}: {
  label: string;
  all: readonly T[];
  on: ReadonlySet<T>;
  onChange: (next: Set<T>) => void;
}) {
  return (
    <fieldset className="log-toggles">
      <legend className="visually-hidden">{label}</legend>
      {all.map((value) => (
        <label key={value} className={`chip small${on.has(value) ? ' on' : ''}`}>
          <input
            type="checkbox"
            checked={on.has(value)}
            onChange={(event) => {
              const next = new Set(on);
              if (event.target.checked) next.add(value);
              else next.delete(value);
              onChange(next);
            }}
          />
          {value}
        </label>
      ))}
    </fieldset>
  );
}

export interface LogViewProps {
  runId: string;
  task: string;
  /** The task's current attempt (0 before its first) and whether it can still write lines. */
  latestAttempt: number;
  active: boolean;
  attempts: Attempt[];
}

/**
 * The log of one attempt of a task, beside the graph: the live tail while it runs (following the end
 * unless the reader scrolls up), any earlier attempt, search, level and stream filters, and a
 * download. Only the rows in view are in the DOM, so 100,000 lines scroll like 100.
 */
export function LogView({ runId, task, latestAttempt, active, attempts }: LogViewProps) {
  const [picked, setPicked] = useState<number>();
  const attempt = picked ?? latestAttempt;
  const isLatest = attempt === latestAttempt;
  const log = useTaskLog(runId, task, attempt, isLatest && active);

  const [levels, setLevels] = useState<ReadonlySet<LogLevel>>(() => new Set(LOG_LEVELS));
  const [streams, setStreams] = useState<ReadonlySet<LogStream>>(() => new Set(LOG_STREAMS));
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [following, setFollowing] = useState(true);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<Error>();

  const filter: LogFilter = useMemo(() => ({ levels, streams, query, onlyMatches }), [levels, streams, query, onlyMatches]);
  const shownCache = useRef(new ShownLines());
  const matchCache = useRef(new ShownLines());
  // `log.version` bumps as lines are appended in place: the caches then read only the new ones.
  const shown = useMemo(() => [...shownCache.current.update(log.lines, filter)], [log.lines, log.version, filter]); // eslint-disable-line react-hooks/exhaustive-deps
  const matches = useMemo(
    () =>
      query
        ? matchCache.current.update(log.lines, { levels: new Set(LOG_LEVELS), streams: new Set(LOG_STREAMS), query, onlyMatches: true })
            .length
        : 0,
    [log.lines, log.version, query], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const viewport = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => LOG_ROW_HEIGHT,
    overscan: 15,
  });

  // Follow mode keeps the newest line in view; scrolling up stops it, back to the bottom resumes it.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [following, shown.length]);
  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
    if (atBottom !== following) setFollowing(atBottom);
  };

  const download = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const all: LogLine[] = [];
      await readWholeTaskLog(runId, task, attempt || undefined, (page) => {
        for (const line of page) all.push(line);
      });
      const url = URL.createObjectURL(new Blob([formatLogFile(all)], { type: 'text/plain;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = logFileName(runId, task, attempt);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setDownloadError(error as Error);
    } finally {
      setDownloading(false);
    }
  };

  const attemptNumbers = Array.from({ length: latestAttempt }, (_, i) => latestAttempt - i);
  const outcomeOf = (n: number) => attempts.find((a) => a.attempt === n)?.outcome;
  const filtered = !filterShowsAll(filter, LOG_LEVELS, LOG_STREAMS);

  return (
    <div className="log-view" data-testid="log-view">
      <div className="log-toolbar">
        <label className="log-field">
          <span>Attempt</span>
          <select
            value={picked === undefined ? 'latest' : String(picked)}
            onChange={(event) => setPicked(event.target.value === 'latest' ? undefined : Number(event.target.value))}
            data-testid="log-attempt"
            disabled={latestAttempt === 0}
          >
            <option value="latest">latest{latestAttempt > 0 ? ` (#${latestAttempt})` : ''}</option>
            {attemptNumbers.map((n) => (
              <option key={n} value={n}>
                #{n}
                {outcomeOf(n) ? ` · ${outcomeOf(n)}` : ''}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          className="input log-search"
          placeholder="Search"
          aria-label="Search the log"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          data-testid="log-search"
        />
        <label className="log-check">
          <input
            type="checkbox"
            checked={onlyMatches}
            onChange={(event) => setOnlyMatches(event.target.checked)}
            data-testid="log-only-matches"
          />
          only matching
        </label>
        <div className="log-actions">
          <button
            type="button"
            className={`button small${following ? ' primary' : ''}`}
            aria-pressed={following}
            onClick={() => setFollowing(!following)}
            data-testid="log-follow"
          >
            Follow
          </button>
          <button
            type="button"
            className="button small"
            onClick={() => void download()}
            disabled={downloading || attempt === 0}
            data-testid="log-download"
          >
            {downloading ? 'Preparing…' : 'Download'}
          </button>
        </div>
      </div>
      <div className="log-toolbar">
        <Toggles label="Levels shown" all={LOG_LEVELS} on={levels} onChange={setLevels} />
        <Toggles label="Streams shown" all={LOG_STREAMS} on={streams} onChange={setStreams} />
      </div>
      {log.error && <ErrorNotice error={log.error} title="Could not read the log" />}
      {downloadError && <ErrorNotice error={downloadError} title="Could not download the log" />}
      <div className="log-status small muted" aria-live="polite" data-testid="log-status">
        <span data-testid="log-count">
          {log.lines.length.toLocaleString('en-US')} line{log.lines.length === 1 ? '' : 's'}
          {filtered ? ` · ${shown.length.toLocaleString('en-US')} shown` : ''}
          {query ? ` · ${matches.toLocaleString('en-US')} matching` : ''}
        </span>
        {log.loading && <span>loading…</span>}
        {isLatest && log.live !== 'off' && <span className={`log-live ${log.live}`}>{LIVE_LABEL[log.live]}</span>}
      </div>
      <div
        ref={viewport}
        className="log-viewport"
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label={`Log of ${task}, attempt ${attempt || 'not started'}`}
        data-testid="log-lines"
      >
        {shown.length === 0 ? (
          <div className="log-empty muted">
            {log.loading
              ? 'Loading the log…'
              : attempt === 0
                ? 'The task has not started: its lines appear here as it runs.'
                : log.lines.length > 0
                  ? 'No line matches the filters.'
                  : active && isLatest
                    ? 'No line yet: new lines appear here as the task writes them.'
                    : 'This attempt wrote no log lines.'}
          </div>
        ) : (
          <div className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const index = shown[item.index]!;
              return <LogRow key={item.key} line={log.lines[index]!} query={query} top={item.start} />;
            })}
          </div>
        )}
      </div>
    </div>
  );
}
