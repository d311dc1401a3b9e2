import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RunStatus } from '@flowctl/core';

@Entity('runs')
export class RunEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) namespace!: string;
  @Column({ name: 'workflow_name', type: 'text' }) workflowName!: string;
  @Column({ name: 'workflow_version_id', type: 'bigint' }) workflowVersionId!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'text' }) status!: RunStatus;
  @Column({ type: 'jsonb' }) inputs!: Record<string, unknown>;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'tasks_total', type: 'int' }) tasksTotal!: number;
  @Column({ name: 'tasks_open', type: 'int' }) tasksOpen!: number;
  @Column({ name: 'tasks_failed', type: 'int' }) tasksFailed!: number;
  @Column({ type: 'jsonb', nullable: true }) error!: unknown;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
