import { Injectable } from '@nestjs/common';
import { deliveriesFor, type RunStatus } from '@flowctl/core';
import { NotificationDeliveryRepository, type NewDeadLetter, type NewNotificationDelivery, type RunRow } from '@flowctl/persistence';
import type { UnitOfWork } from './unit-of-work';

/**
 * The outbox of run notifications (spec.notify): a delivery row per webhook that asked to hear of a
 * run's end or of one of its dead letters, written in the transaction that makes it so. A run that
 * ended is therefore told of (at least once), and one whose transaction rolled back never is. The
 * leader's NotificationTimer sends them; NOTIFY flowctl_timers at commit wakes it.
 */
@Injectable()
export class RunNotifications {
  constructor(private readonly deliveries: NotificationDeliveryRepository) {}

  /** Queues the deliveries these run ends and dead letters call for; costs nothing for workflows without spec.notify. */
  async enqueue(uow: UnitOfWork, ended: readonly RunRow[], deadLetters: readonly NewDeadLetter[]): Promise<void> {
    const rows: NewNotificationDelivery[] = [];
    const add = (runId: string, happened: RunStatus | 'dead_letter', deadTask: NewNotificationDelivery['deadTask']) => {
      const { row, workflow } = uow.run(runId);
      for (const intent of deliveriesFor(workflow.definition.spec.notify, happened)) {
        rows.push({ runId, namespace: row.namespace, workflowName: row.workflowName, deadTask, ...intent });
      }
    };
    for (const run of ended) add(run.id, run.status, null);
    for (const letter of deadLetters) {
      add(letter.runId, 'dead_letter', { task: letter.task, type: letter.type, attempt: letter.attempt, error: letter.error });
    }
    if (rows.length === 0) return;
    uow.timersChanged = true;
    await uow.pending.history(this.deliveries.addStatement(rows));
  }
}
