import { Injectable, Logger } from '@nestjs/common';
import { NotificationDeliveryRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SendNotificationsUseCase } from '../../use-cases/send-notifications/send-notifications.use-case';
import type { Leadership } from '../leader-lease';
import { InFlightBatches } from './in-flight-batches';
import type { LeaderTimer } from './leader-timer';

/** Deliveries in flight at most: a slow receiver holds a slot for up to FLOWCTL_NOTIFY_TIMEOUT. */
const MAX_IN_FLIGHT = 50;

/**
 * Sends run notifications when they are due (written, or their backoff elapsed). The POSTs run
 * beside the timer duty, not inside it: a slow receiver must never hold retries and timeouts back.
 * A finished batch records its attempts with NOTIFY flowctl_timers, which wakes the duty for the rest.
 */
@Injectable()
export class NotificationTimer implements LeaderTimer {
  readonly name = 'notifications';
  private readonly logger = new Logger(NotificationTimer.name);
  private readonly inFlight = new InFlightBatches(MAX_IN_FLIGHT);
  /**
   * The earliest due delivery at the last look (null: none; undefined: not known yet). Every wake-up of
   * the duty (any timer's NOTIFY) passes here; only a due time costs a claiming transaction.
   */
  private dueAt?: number | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: NotificationDeliveryRepository,
    private readonly sendNotifications: SendNotificationsUseCase,
  ) {}

  async fire(leadership: Leadership): Promise<boolean> {
    if (this.inFlight.isFull || this.dueAt === null || (this.dueAt !== undefined && this.dueAt > Date.now())) return false;
    const claimed = await this.sendNotifications.claim(leadership.holder, leadership.token, this.inFlight.room);
    if (claimed.length === 0) return false;
    // Not awaited; a batch that cannot record its attempts is sent again once its claims run out.
    this.inFlight.track(
      claimed.length,
      this.sendNotifications
        .send(claimed)
        .catch((error: Error) => this.logger.error(`notifications could not be recorded: ${error.message}`)),
    );
    return false;
  }

  /** While every slot is taken, only a finished batch (its NOTIFY) can make room: nothing is due before. */
  async nextDueAt(): Promise<Date | null> {
    const next = await this.deliveries.nextDueAt(this.dataSource);
    this.dueAt = next?.getTime() ?? null;
    return this.inFlight.isFull ? null : next;
  }
}
