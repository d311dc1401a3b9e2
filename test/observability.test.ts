import { QueueTransport } from '@flowctl/queue';
import { freePort } from '../apps/flowctl/src/dev/embedded-database';
import type { ManagedProcess } from '../apps/flowctl/src/dev/child-process';
import { FlowctlStack } from './support/flowctl-stack';
import { OtlpCollector } from './support/otlp-collector';
import { createTestDatabase } from './support/test-database';
import { succeededReport } from './support/result-messages';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

/** Every stdout line of a process, whole (a chunk may end mid-line). */
function collectLines(managed: ManagedProcess, into: { process: string; line: string }[]): void {
  let partial = '';
  managed.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) into.push({ process: managed.name, line });
  });
}

/** Prometheus text format: the value of one sample, by name and exact labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length)
      return Number(match[3]);
  }
  return undefined;
}

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('observability', () => {
  let stack: FlowctlStack;
  let collector: OtlpCollector;
  let workerMetricsUrl: string;
  const lines: { process: string; line: string }[] = [];
  let runId: string;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    const metricsPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}`;
    const telemetry = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    };
    stack = await FlowctlStack.start({
      label: 'observability',
      schedulerEnv: telemetry,
      workerEnv: { ...telemetry, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1', WORKER_TYPES: 'noop,fail' },
      onProcess: (managed) => collectLines(managed, lines),
    });
    expect(
      (
        await stack.api.applyYaml(
          aWorkflow({
            name: 'observed',
            spec: { defaults: { retry: { maxAttempts: 3, initialInterval: '1s' } } },
            tasks: [
              { name: 'first', with: { message: 'hello' } },
              { name: 'second', dependsOn: ['first'] },
              { name: 'flaky', type: 'fail', dependsOn: ['second'], with: { message: 'try again', untilAttempt: 2 } },
            ],
          }),
        )
      ).status,
    ).toBeLessThan(300);
    // The caller's own trace context: the run's trace continues it.
    const started = await fetch(`${stack.url}/api/v1/workflows/observed/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` },
      body: JSON.stringify({ inputs: {} }),
    });
    expect(started.status).toBe(201);
    runId = ((await started.json()) as { id: string }).id;
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('succeeded');
  });

  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
  });

  describe('traces', () => {
    const spansOfRun = () => collector.spans.filter((span) => span.attributes['flowctl.run.id'] === runId);

    const workerSpanOf = (task: string, attempt: number) =>
      spansOfRun().find(
        (span) =>
          span.service === 'flowctl-worker' &&
          span.attributes['flowctl.task.name'] === task &&
          span.attributes['flowctl.task.attempt'] === attempt,
      );

    it('follows a run from the API request through the scheduler to the worker and back, in one trace', async () => {
      await waitFor(() => workerSpanOf('second', 1) && workerSpanOf('flaky', 1), {
        timeoutMs: 15_000,
        what: 'the worker to export task spans',
      });
      const post = await waitFor(
        () => collector.spans.find((span) => span.service === 'flowctl-scheduler' && span.name === 'POST /api/v1/workflows/:name/runs'),
        { timeoutMs: 15_000, what: 'the scheduler to export the POST span' },
      );
      expect(post).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID });
      const create = spansOfRun().find((span) => span.name === 'run create');
      expect(create).toMatchObject({ traceId: post.traceId, parentSpanId: post.spanId });

      const first = workerSpanOf('first', 1)!;
      const second = workerSpanOf('second', 1)!;
      // The first task was dispatched by the request; the second by applying the first's result.
      expect(first.traceId).toBe(post.traceId);
      expect(second.traceId).toBe(post.traceId);
      expect(first.attributes).toMatchObject({ 'flowctl.task.type': 'noop', 'flowctl.run.id': runId });
      const dispatchOfFirst = spansOfRun().find((span) => span.spanId === first.parentSpanId);
      expect(dispatchOfFirst).toMatchObject({ service: 'flowctl-scheduler', name: 'dispatch first' });

      await waitFor(() => spansOfRun().find((span) => span.name === 'apply succeeded' && span.parentSpanId === first.spanId), {
        timeoutMs: 15_000,
        what: "the scheduler's span applying the first task's result",
      });
      expect(collector.requests.every((request) => request.contentType?.startsWith('application/json'))).toBe(true);
    });

    it('continues the trace in a retried attempt, sent after its backoff under the report of the attempt that failed', async () => {
      const [failed, retried] = await waitFor(
        () => {
          const spans = [workerSpanOf('flaky', 1), workerSpanOf('flaky', 2)];
          return spans.every(Boolean) && spans;
        },
        { timeoutMs: 15_000, what: 'the worker to export both attempts of the flaky task' },
      );
      const applyFailed = await waitFor(
        () => spansOfRun().find((span) => span.name === 'apply failed' && span.parentSpanId === failed!.spanId),
        { timeoutMs: 15_000, what: "the scheduler's span applying the failed attempt's report" },
      );
      expect(retried!.traceId).toBe(CALLER_TRACE_ID);
      expect(spansOfRun().find((span) => span.spanId === retried!.parentSpanId)).toMatchObject({
        name: 'dispatch flaky',
        traceId: CALLER_TRACE_ID,
        parentSpanId: applyFailed.spanId,
      });
    });
  });

  describe('logs', () => {
    it('writes every stdout line of scheduler and worker as JSON', () => {
      const servers = lines.filter((entry) => entry.process === 'scheduler' || entry.process === 'worker');
      expect(servers.length).toBeGreaterThan(20);
      const unparsable = servers.filter((entry) => {
        try {
          const parsed = JSON.parse(entry.line);
          return typeof parsed !== 'object' || typeof parsed.level !== 'string' || typeof parsed.msg !== 'string';
        } catch {
          return true;
        }
      });
      expect(unparsable).toEqual([]);
    });

    it('puts run id, task name and attempt on every line about a task', () => {
      const parsed = lines.map((entry) => ({ process: entry.process, ...JSON.parse(entry.line) }));
      const aboutTasks = parsed.filter((line) => line.task !== undefined || line.taskRunId !== undefined);
      expect(aboutTasks.filter((line) => typeof line.runId !== 'string' || !Number.isInteger(line.attempt))).toEqual([]);

      const ofRun = aboutTasks.filter((line) => line.runId === runId);
      const has = (process: string, task: string, attempt: number) =>
        ofRun.some((line) => line.process === process && line.task === task && line.attempt === attempt);
      for (const task of ['first', 'second']) {
        expect(has('worker', task, 1)).toBe(true);
        expect(has('scheduler', task, 1)).toBe(true);
      }
      expect(has('worker', 'flaky', 1)).toBe(true);
      expect(has('worker', 'flaky', 2)).toBe(true);
      const retried = ofRun.find((line) => line.process === 'scheduler' && line.task === 'flaky' && line.status === 'retrying');
      expect(retried).toMatchObject({ attempt: 1, level: 'info' });
    });
  });

  describe('metrics', () => {
    it('serves the scheduler metrics: runs and tasks by status, queue depth, leader, results lag, process', async () => {
      const text = await waitFor(
        async () => {
          const body = await (await fetch(`${stack.url}/api/v1/metrics`)).text();
          return (sample(body, 'flowctl_runs_finished_total', { status: 'succeeded' }) ?? 0) >= 1 ? body : undefined;
        },
        { timeoutMs: 10_000, what: 'the finished run to be counted' },
      );
      expect(sample(text, 'flowctl_task_results_total', { type: 'noop', outcome: 'succeeded' })).toBe(2);
      expect(sample(text, 'flowctl_task_results_total', { type: 'fail', outcome: 'retrying' })).toBe(1);
      expect(sample(text, 'flowctl_task_results_total', { type: 'fail', outcome: 'succeeded' })).toBe(1);
      expect(sample(text, 'flowctl_runs_active', { status: 'running' })).toBe(0);
      expect(sample(text, 'flowctl_tasks_in_flight', { status: 'queued' })).toBe(0);
      expect(sample(text, 'flowctl_scheduler_leader')).toBe(1);
      expect(sample(text, 'flowctl_queue_jobs', { type: 'noop', state: 'waiting' })).toBe(0);
      expect(sample(text, 'flowctl_results_waiting')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'flowctl_results_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'flowctl_result_apply_lag_seconds_count')).toBeGreaterThanOrEqual(4);
      expect(sample(text, 'flowctl_process_resident_memory_bytes')).toBeGreaterThan(0);
    });

    it('serves the worker metrics: duration and queue wait by type, and a liveness probe', async () => {
      expect((await fetch(`${workerMetricsUrl}/healthz`)).status).toBe(200);
      const response = await fetch(`${workerMetricsUrl}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(sample(text, 'flowctl_task_duration_seconds_count', { type: 'noop', outcome: 'succeeded' })).toBe(2);
      expect(sample(text, 'flowctl_task_duration_seconds_count', { type: 'fail', outcome: 'failed' })).toBe(1);
      expect(sample(text, 'flowctl_task_queue_wait_seconds_count', { type: 'noop' })).toBe(2);
      expect(sample(text, 'flowctl_task_queue_wait_seconds_bucket', { type: 'noop', le: '+Inf' })).toBe(2);
      expect(sample(text, 'flowctl_worker_tasks_running', { type: 'noop' })).toBe(0);
      expect(sample(text, 'flowctl_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    });
  });
});

describe('results backlog on the PostgreSQL queue backend', () => {
  it('counts the reports waiting on the results queue and the age of the oldest', async () => {
    const database = await createTestDatabase('observability_pg_results');
    const transport = new QueueTransport({ postgresUrl: database.url, prefix: 'obs_results' });
    try {
      const report = succeededReport;
      const channel = transport.results();
      expect(await channel.backlog()).toEqual({ reports: 0, oldestAgeMs: 0 });
      await channel.publish(report('1'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await channel.publish(report('2'));
      const backlog = await channel.backlog();
      expect(backlog.reports).toBe(2);
      expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(40);
    } finally {
      await transport.close();
      await database.drop();
    }
  });
});
