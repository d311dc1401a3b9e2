import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('workflows')
export class WorkflowEntity {
  @PrimaryColumn({ type: 'text' }) namespace!: string;
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ name: 'current_version', type: 'int' }) currentVersion!: number;
  @Column({ type: 'jsonb' }) labels!: Record<string, string>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
