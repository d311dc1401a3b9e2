import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskFailure } from '@flowctl/core';

@Entity('dead_letters')
export class DeadLetterEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'task_run_id', type: 'bigint' }) taskRunId!: string;
  @Column({ name: 'run_id', type: 'uuid' }) runId!: string;
  @Column({ type: 'text' }) namespace!: string;
  @Column({ name: 'workflow_name', type: 'text' }) workflowName!: string;
  @Column({ type: 'text' }) task!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'int' }) attempt!: number;
  @Column({ type: 'jsonb', nullable: true }) error!: TaskFailure | null;
  @Column({ type: 'jsonb', nullable: true }) input!: unknown;
  @Column({ name: 'dead_at', type: 'timestamptz' }) deadAt!: Date;
  @Column({ name: 'requeued_at', type: 'timestamptz', nullable: true }) requeuedAt!: Date | null;
}
