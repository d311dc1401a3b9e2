import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: the engine inserts, nothing updates. */
@Entity('run_events')
export class RunEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'run_id', type: 'uuid' }) runId!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text', nullable: true }) task!: string | null;
  @Column({ type: 'int', nullable: true }) attempt!: number | null;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'jsonb', nullable: true }) details!: unknown;
}
