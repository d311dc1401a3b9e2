import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { WorkflowDefinition } from '@flowctl/core';

@Entity('workflow_versions')
export class WorkflowVersionEntity {
  /** bigint: node-postgres hands it back as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) namespace!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'content_hash', type: 'text' }) contentHash!: string;
  @Column({ type: 'jsonb' }) definition!: WorkflowDefinition;
  @Column({ type: 'text' }) source!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
