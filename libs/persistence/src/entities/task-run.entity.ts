import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskFailure, TaskStatus } from '@flowctl/core';

@Entity('task_runs')
export class TaskRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'run_id', type: 'uuid' }) runId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text' }) status!: TaskStatus;
  @Column({ type: 'int' }) attempt!: number;
  /** First attempt number of the current retry budget: a requeued dead letter starts a new one. */
  @Column({ name: 'budget_start', type: 'int' }) budgetStart!: number;
  @Column({ type: 'smallint' }) priority!: number;
  @Column({ name: 'deps_total', type: 'int' }) depsTotal!: number;
  @Column({ name: 'deps_succeeded', type: 'int' }) depsSucceeded!: number;
  @Column({ name: 'deps_failed', type: 'int' }) depsFailed!: number;
  @Column({ name: 'deps_skipped', type: 'int' }) depsSkipped!: number;
  @Column({ type: 'jsonb', nullable: true }) input!: unknown;
  @Column({ type: 'jsonb', nullable: true }) output!: unknown;
  @Column({ type: 'jsonb', nullable: true }) error!: TaskFailure | null;
  @Column({ name: 'worker_id', type: 'text', nullable: true }) workerId!: string | null;
  @Column({ name: 'heartbeat_details', type: 'jsonb', nullable: true }) heartbeatDetails!: unknown;
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true }) heartbeatAt!: Date | null;
  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true }) queuedAt!: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ name: 'retry_at', type: 'timestamptz', nullable: true }) retryAt!: Date | null;
  @Column({ name: 'retry_traceparent', type: 'text', nullable: true }) retryTraceparent!: string | null;
}
