import { DeadLetterEntity } from './dead-letter.entity';
import { RunEventEntity } from './run-event.entity';
import { RunEntity } from './run.entity';
import { SchedulerInstanceEntity } from './scheduler-instance.entity';
import { TaskRunEntity } from './task-run.entity';
import { WorkerEntity } from './worker.entity';
import { WorkflowVersionEntity } from './workflow-version.entity';
import { WorkflowEntity } from './workflow.entity';

export {
  DeadLetterEntity,
  RunEventEntity,
  RunEntity,
  SchedulerInstanceEntity,
  TaskRunEntity,
  WorkerEntity,
  WorkflowEntity,
  WorkflowVersionEntity,
};

export const ENTITIES = [
  WorkflowEntity,
  WorkflowVersionEntity,
  RunEntity,
  TaskRunEntity,
  RunEventEntity,
  DeadLetterEntity,
  WorkerEntity,
  SchedulerInstanceEntity,
];
