import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ClusterRepository, MetricsRepository } from '@flowctl/persistence';
import { QueueTransport, taskQueueName } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { LeaderLease } from '../duties/leader-lease';
import { MetricsRegistry } from './metrics-registry';

/**
 * A scrape while the database is down still answers (leadership, queues, the process): a labelled
 * gauge it cannot read is left out of that scrape rather than failing the whole page.
 */
const orNothing = <T>(read: Promise<T>): Promise<T | undefined> => read.catch(() => undefined);

/** Bounds the registry read that names the task types whose queues are measured. */
const MAX_WORKERS = 1_000;

/**
 * Gauges read at scrape time: in-flight counts from partial indexes, queue
 * depths from the transport (O(1) per queue on Redis), leadership from memory.
 */
@Injectable()
export class StateGauges {
  constructor(
    metrics: MetricsRegistry,
    dataSource: DataSource,
    repository: MetricsRepository,
    cluster: ClusterRepository,
    transport: QueueTransport,
    lease: LeaderLease,
  ) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'flowctl_runs_active',
      help: 'Runs not yet finished, by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await orNothing(repository.activeRunsByStatus(dataSource));
        this.reset();
        for (const [status, count] of Object.entries(counts ?? {})) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'flowctl_tasks_in_flight',
      help: 'Task runs on a queue or running, by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await orNothing(repository.tasksInFlightByStatus(dataSource));
        this.reset();
        for (const [status, count] of Object.entries(counts ?? {})) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'flowctl_dead_letters',
      help: 'Open dead letters.',
      registers,
      async collect() {
        // Unlabelled, it cannot be left out: an unreadable count keeps its last value.
        const count = await orNothing(repository.openDeadLetters(dataSource));
        if (count !== undefined) this.set(count);
      },
    });
    new Gauge({
      name: 'flowctl_scheduler_leader',
      help: '1 if this scheduler holds the leader lease.',
      registers,
      collect() {
        this.set(lease.current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'flowctl_queue_jobs',
      help: 'Jobs on each task type queue (types served by registered workers), by state: waiting, active, delayed.',
      labelNames: ['type', 'state'],
      registers,
      async collect() {
        this.reset();
        const workers = (await orNothing(cluster.listWorkers(dataSource, { limit: MAX_WORKERS }))) ?? [];
        // Queues starting with `_` are the engine's own (results, control), never a task type.
        const types = [...new Set(workers.flatMap((worker) => worker.types))].filter((type) => !type.startsWith('_'));
        await Promise.all(
          types.map(async (type) => {
            const counts = await transport
              .queue(taskQueueName(type))
              .getJobCounts('waiting', 'prioritized', 'active', 'delayed')
              .catch(() => undefined);
            if (!counts) return;
            this.set({ type, state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
            this.set({ type, state: 'active' }, counts.active ?? 0);
            this.set({ type, state: 'delayed' }, counts.delayed ?? 0);
          }),
        );
      },
    });
    const readBacklog = () => orNothing(transport.results().backlog());
    new Gauge({
      name: 'flowctl_results_waiting',
      help: 'Worker reports sent and not yet applied by a scheduler.',
      registers,
      async collect() {
        const read = await readBacklog();
        if (read) this.set(read.reports);
      },
    });
    new Gauge({
      name: 'flowctl_results_oldest_age_seconds',
      help: 'Age of the oldest worker report not yet applied (0 when none): how far result application lags.',
      registers,
      async collect() {
        const read = await readBacklog();
        if (read) this.set(read.oldestAgeMs / 1000);
      },
    });
  }
}
