import { Injectable, Logger } from '@nestjs/common';
import { NotificationDeliveryRepository } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SendNotificationsUseCase } from '../../use-cases/send-notifications/send-notifications.use-case';
import type { Leadership } from '../leader-lease';
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
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: NotificationDeliveryRepository,
    private readonly sendNotifications: SendNotificationsUseCase,
  ) {}

  async fire(leadership: Leadership): Promise<boolean> {
    const room = MAX_IN_FLIGHT - this.inFlight;
    if (room <= 0) return false;
    const claimed = await this.sendNotifications.claim(leadership.holder, leadership.token, room);
    if (claimed.length === 0) return false;
    this.inFlight += claimed.length;
    void this.sendNotifications
      .send(claimed)
      .catch((error: Error) => this.logger.error(`notifications could not be recorded: ${error.message}`))
      .finally(() => (this.inFlight -= claimed.length));
    return false;
  }

  /** While every slot is taken, only a finished batch (its NOTIFY) can make room: nothing is due before. */
  async nextDueAt(): Promise<Date | null> {
    if (this.inFlight >= MAX_IN_FLIGHT) return null;
    return this.deliveries.nextDueAt(this.dataSource);
  }
}
