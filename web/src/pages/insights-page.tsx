import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { useSearchParams } from 'react-router';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api/client';
import { getInsights, type Insights } from '../api/insights';
import { EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { useResource } from '../hooks/use-resource';
import { useTheme } from '../hooks/use-theme';
import { formatDuration } from '../model/time-format';

export const INSIGHT_WINDOWS = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
] as const;
const DEFAULT_WINDOW = '24h';
const REFRESH_MS = 30_000;

/** The chart colours: the theme's own CSS variables, read once the theme has been applied to the document. */
interface ChartColors {
  text: string;
  grid: string;
  surface: string;
  accent: string;
  warning: string;
  succeeded: string;
  failed: string;
  timedOut: string;
  cancelled: string;
  dead: string;
}

function readChartColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--muted', '#5d6675'),
    grid: read('--border', '#e1e5eb'),
    surface: read('--surface', '#ffffff'),
    accent: read('--accent', '#2563eb'),
    warning: read('--warning', '#b45309'),
    succeeded: read('--status-succeeded', '#15803d'),
    failed: read('--status-failed', '#dc2626'),
    timedOut: read('--status-timed_out', '#c2410c'),
    cancelled: read('--status-cancelled', '#a16207'),
    dead: read('--status-dead', '#9d174d'),
  };
}

/** The layout sets data-theme and the status palette in its own effect, after this page's: read on the next frame. */
function useChartColors(): ChartColors {
  const { theme } = useTheme();
  const [colors, setColors] = useState<ChartColors>(readChartColors);
  useEffect(() => {
    const frame = requestAnimationFrame(() => setColors(readChartColors()));
    return () => cancelAnimationFrame(frame);
  }, [theme]);
  return colors;
}

const integer = new Intl.NumberFormat();
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const ms = (value: number | null) => (value === null ? '–' : formatDuration(value));

/** Bucket labels: times of day inside a day, dates and times across days. */
function bucketLabel(iso: string, bucketSeconds: number): string {
  const date = new Date(iso);
  return bucketSeconds >= 86_400
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : bucketSeconds >= 3_600
      ? date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
      : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function Tile({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="insight-tile">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** A chart with its title and, for screen readers, a sentence that says what it shows (the SVG itself is decoration to them). */
function ChartCard({ title, summary, children, testId }: { title: string; summary: string; children: ReactElement; testId: string }) {
  return (
    <figure className="card chart-card" data-testid={testId}>
      <figcaption className="card-header">
        <h2>{title}</h2>
      </figcaption>
      <div className="chart-area" role="img" aria-label={`${title}: ${summary}`}>
        <ResponsiveContainer width="100%" height={220}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

function peakOf<T extends { at: string }>(points: readonly T[], value: (point: T) => number): T | undefined {
  return points.reduce<T | undefined>((best, point) => (best === undefined || value(point) > value(best) ? point : best), undefined);
}

function Charts({ data, colors }: { data: Insights; colors: ChartColors }) {
  const bucket = data.window.bucketSeconds;
  const axis = { stroke: colors.grid, tick: { fill: colors.text, fontSize: 11 }, tickLine: false };
  const xAxis = <XAxis dataKey="at" {...axis} tickFormatter={(iso: string) => bucketLabel(iso, bucket)} minTickGap={24} />;
  const grid = <CartesianGrid stroke={colors.grid} vertical={false} />;
  const tooltip = (
    <Tooltip
      labelFormatter={(iso) => bucketLabel(String(iso), bucket)}
      contentStyle={{ background: colors.surface, borderColor: colors.grid, color: colors.text }}
      cursor={{ fill: colors.grid, opacity: 0.4 }}
    />
  );
  // Legend labels in the text colour: the series colours are for marks (3:1), not for small text (4.5:1).
  const legend = (
    <Legend wrapperStyle={{ fontSize: 12 }} formatter={(label) => <span style={{ color: colors.text }}>{String(label)}</span>} />
  );
  const runs = data.runs;
  const busiest = peakOf(data.taskThroughput, (point) => point.perMinute);
  const deadTotal = data.deadLettersOverTime.reduce((sum, point) => sum + point.count, 0);
  const bucketText = bucket >= 3_600 ? `${bucket / 3_600}-hour` : `${bucket / 60}-minute`;
  return (
    <div className="chart-grid">
      <ChartCard
        title="Runs over time by outcome"
        testId="chart-runs"
        summary={`${bucketText} buckets; ${runs.succeeded} succeeded, ${runs.failed} failed, ${runs.timedOut} timed out, ${runs.cancelled} cancelled in the window.`}
      >
        <BarChart data={data.runsOverTime} accessibilityLayer={false}>
          {grid}
          {xAxis}
          <YAxis {...axis} allowDecimals={false} width={40} />
          {tooltip}
          {legend}
          <Bar dataKey="succeeded" name="Succeeded" stackId="runs" fill={colors.succeeded} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="runs" fill={colors.failed} isAnimationActive={false} />
          <Bar dataKey="timedOut" name="Timed out" stackId="runs" fill={colors.timedOut} isAnimationActive={false} />
          <Bar dataKey="cancelled" name="Cancelled" stackId="runs" fill={colors.cancelled} isAnimationActive={false} />
        </BarChart>
      </ChartCard>
      <ChartCard
        title="Task throughput per minute"
        testId="chart-throughput"
        summary={
          busiest && busiest.tasks > 0
            ? `tasks finished per minute, averaged over ${bucketText} buckets; busiest ${decimal.format(busiest.perMinute)} per minute at ${bucketLabel(busiest.at, bucket)}.`
            : 'no task finished in the window.'
        }
      >
        <AreaChart data={data.taskThroughput} accessibilityLayer={false}>
          {grid}
          {xAxis}
          <YAxis {...axis} width={40} tickFormatter={(value: number) => decimal.format(value)} />
          {tooltip}
          <Area
            dataKey="perMinute"
            name="Tasks per minute"
            type="monotone"
            stroke={colors.accent}
            fill={colors.accent}
            fillOpacity={0.2}
            isAnimationActive={false}
          />
        </AreaChart>
      </ChartCard>
      <ChartCard
        title="Queue wait per task type"
        testId="chart-queue-wait"
        summary={
          data.queueWait.length > 0
            ? data.queueWait.map((row) => `${row.type}: p50 ${ms(row.p50Ms)}, p95 ${ms(row.p95Ms)}`).join('; ') + '.'
            : 'no task started in the window.'
        }
      >
        <BarChart data={data.queueWait} accessibilityLayer={false}>
          {grid}
          <XAxis dataKey="type" {...axis} />
          <YAxis {...axis} width={56} tickFormatter={(value: number) => formatDuration(value)} />
          <Tooltip
            formatter={(value) => formatDuration(Number(value))}
            contentStyle={{ background: colors.surface, borderColor: colors.grid, color: colors.text }}
            cursor={{ fill: colors.grid, opacity: 0.4 }}
          />
          {legend}
          <Bar dataKey="p50Ms" name="p50" fill={colors.accent} isAnimationActive={false} />
          <Bar dataKey="p95Ms" name="p95" fill={colors.warning} isAnimationActive={false} />
        </BarChart>
      </ChartCard>
      <ChartCard
        title="Dead letters over time"
        testId="chart-dead-letters"
        summary={`${deadTotal} task${deadTotal === 1 ? '' : 's'} exhausted their retries in the window, in ${bucketText} buckets.`}
      >
        <BarChart data={data.deadLettersOverTime} accessibilityLayer={false}>
          {grid}
          {xAxis}
          <YAxis {...axis} allowDecimals={false} width={40} />
          {tooltip}
          <Bar dataKey="count" name="Dead letters" fill={colors.dead} isAnimationActive={false} />
        </BarChart>
      </ChartCard>
    </div>
  );
}

function TaskTables({ data }: { data: Insights }) {
  return (
    <div className="chart-grid">
      <section className="card" aria-labelledby="slowest-title">
        <div className="card-header">
          <h2 id="slowest-title">Slowest tasks (by p95)</h2>
        </div>
        {data.slowestTasks.length === 0 ? (
          <p className="muted">No task finished in this window.</p>
        ) : (
          <table className="table compact" data-testid="slowest-tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Workflow</th>
                <th className="num">Task runs</th>
                <th className="num">p50</th>
                <th className="num">p95</th>
              </tr>
            </thead>
            <tbody>
              {data.slowestTasks.map((row) => (
                <tr key={`${row.namespace}/${row.workflow}/${row.task}/${row.type}`}>
                  <td title={`${row.task} (${row.type})`}>
                    {row.task} <span className="muted small">{row.type}</span>
                  </td>
                  <td title={`${row.namespace}/${row.workflow}`}>{row.workflow}</td>
                  <td className="num">{integer.format(row.count)}</td>
                  <td className="num">{ms(row.p50Ms)}</td>
                  <td className="num">{ms(row.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="retried-title">
        <div className="card-header">
          <h2 id="retried-title">Most-retried tasks</h2>
        </div>
        {data.mostRetriedTasks.length === 0 ? (
          <p className="muted">No task needed a second attempt in this window.</p>
        ) : (
          <table className="table compact" data-testid="most-retried-tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Workflow</th>
                <th className="num">Retries</th>
                <th className="num">Task runs retried</th>
              </tr>
            </thead>
            <tbody>
              {data.mostRetriedTasks.map((row) => (
                <tr key={`${row.namespace}/${row.workflow}/${row.task}/${row.type}`}>
                  <td title={`${row.task} (${row.type})`}>
                    {row.task} <span className="muted small">{row.type}</span>
                  </td>
                  <td title={`${row.namespace}/${row.workflow}`}>{row.workflow}</td>
                  <td className="num">{integer.format(row.retries)}</td>
                  <td className="num">{integer.format(row.retriedRuns)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function WorkflowTable({ data }: { data: Insights }) {
  if (data.workflows.length === 0) return null;
  return (
    <section className="card" aria-labelledby="workflows-title">
      <div className="card-header">
        <h2 id="workflows-title">Per workflow</h2>
      </div>
      <table className="table compact" data-testid="workflow-outcomes">
        <thead>
          <tr>
            <th>Workflow</th>
            <th className="num">Started</th>
            <th className="num">Succeeded</th>
            <th className="num">Failed</th>
            <th className="num">Timed out</th>
            <th className="num">Cancelled</th>
            <th className="num">p50</th>
            <th className="num">p95</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {data.workflows.map((row) => (
            <tr key={`${row.namespace}/${row.workflow}`}>
              <td title={`${row.namespace}/${row.workflow}`}>
                {row.workflow} {row.namespace !== 'default' && <span className="muted small">{row.namespace}</span>}
              </td>
              <td className="num">{integer.format(row.started)}</td>
              <td className="num">{integer.format(row.succeeded)}</td>
              <td className="num">{integer.format(row.failed)}</td>
              <td className="num">{integer.format(row.timedOut)}</td>
              <td className="num">{integer.format(row.cancelled)}</td>
              <td className="num">{ms(row.durationMs.p50)}</td>
              <td className="num">{ms(row.durationMs.p95)}</td>
              <td className="num">{ms(row.durationMs.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** How workflows behaved over a window: outcomes, durations, slow and flaky tasks, throughput, queue wait, dead letters. */
export function InsightsPage() {
  const [search, setSearch] = useSearchParams();
  const range = INSIGHT_WINDOWS.some((option) => option.value === search.get('window')) ? search.get('window')! : DEFAULT_WINDOW;
  const workflow = search.get('workflow') ?? '';
  const colors = useChartColors();
  const insights = useResource((signal) => getInsights({ since: range, workflow: workflow || undefined }, signal), `${range}|${workflow}`, {
    refreshMs: REFRESH_MS,
  });
  const workflows = useResource((signal) => api.listWorkflows({ limit: 500 }, signal), 'workflows');
  const workflowNames = useMemo(
    () => [...new Set([...(workflows.data?.items ?? []).map((item) => item.name), ...(workflow ? [workflow] : [])])].sort(),
    [workflows.data, workflow],
  );
  const setParam = (name: string, value: string, fallback: string) => {
    const next = new URLSearchParams(search);
    if (value && value !== fallback) next.set(name, value);
    else next.delete(name);
    setSearch(next);
  };
  const data = insights.data;
  const runs = data?.runs;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Insights</h1>
          <p className="page-subtitle">
            How workflows behaved over time: outcomes, durations, slow and retried tasks, throughput and queue wait.
          </p>
        </div>
      </header>

      <div className="toolbar" role="search" aria-label="Insights window and workflow">
        <label className="field inline">
          <span>Window</span>
          <select value={range} onChange={(event) => setParam('window', event.target.value, DEFAULT_WINDOW)} data-testid="insights-window">
            {INSIGHT_WINDOWS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Workflow</span>
          <select value={workflow} onChange={(event) => setParam('workflow', event.target.value, '')} data-testid="insights-workflow">
            <option value="">All workflows</option>
            {workflowNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>

      {insights.error && <ErrorNotice error={insights.error} onRetry={insights.reload} title="Could not load insights" />}
      {!data && !insights.error && <div className="skeleton-table" aria-busy="true" />}

      {data && runs && (
        <>
          <dl className="insight-tiles" data-testid="insight-tiles">
            <Tile label="Runs started" value={integer.format(runs.started)} testId="tile-started" />
            <Tile label="Succeeded" value={integer.format(runs.succeeded)} testId="tile-succeeded" />
            <Tile label="Failed" value={integer.format(runs.failed)} testId="tile-failed" />
            <Tile label="Timed out" value={integer.format(runs.timedOut)} testId="tile-timed-out" />
            <Tile label="Cancelled" value={integer.format(runs.cancelled)} testId="tile-cancelled" />
            <Tile label="Run time p50" value={ms(runs.durationMs.p50)} testId="tile-p50" />
            <Tile label="Run time p95" value={ms(runs.durationMs.p95)} testId="tile-p95" />
            <Tile label="Run time p99" value={ms(runs.durationMs.p99)} testId="tile-p99" />
          </dl>
          {runs.started === 0 && runs.succeeded + runs.failed + runs.timedOut + runs.cancelled === 0 ? (
            <EmptyState title="No runs in this window">
              Pick a longer window, or start a run of a workflow to see how it behaves.
            </EmptyState>
          ) : (
            <>
              <Charts data={data} colors={colors} />
              <TaskTables data={data} />
              <WorkflowTable data={data} />
            </>
          )}
        </>
      )}
    </div>
  );
}
