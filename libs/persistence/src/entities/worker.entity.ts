import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('workers')
export class WorkerEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) host!: string;
  @Column({ type: 'text', array: true }) types!: string[];
  @Column({ type: 'int' }) concurrency!: number;
  @Column({ type: 'text' }) version!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'int' }) running!: number;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'last_heartbeat_at', type: 'timestamptz' }) lastHeartbeatAt!: Date;
}
