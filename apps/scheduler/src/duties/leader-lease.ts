import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { hostname } from 'node:os';
import { ClusterRepository, LEADER_LEASE } from '@flowctl/persistence';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

export interface Leadership {
  holder: string;
  token: string;
}

type LeadershipListener = { elected(leadership: Leadership): void; deposed(): void };

/**
 * Leader election on a PostgreSQL lease row. Renewed at a third of its TTL, so
 * a leader survives two missed renewals; a standby takes over within one TTL
 * after the leader dies. Every leader-only write checks the token it was given.
 */
@Injectable()
export class LeaderLease implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaderLease.name);
  private leadership?: Leadership;
  private readonly listeners: LeadershipListener[] = [];
  private renewing = false;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
    private readonly registry: SchedulerRegistry,
  ) {}

  get current(): Leadership | undefined {
    return this.leadership;
  }

  onLeadershipChange(listener: LeadershipListener): void {
    this.listeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.renew();
    this.registry.addInterval(
      'leader-lease',
      setInterval(() => void this.renew(), Math.floor(this.config.leaseTtlMs / 3)),
    );
  }

  /**
   * Before, not on, application shutdown: Nest runs the onApplicationShutdown
   * hooks of a module concurrently, and the one that closes the database must
   * not pull the pool from under the lease release (which then never settles).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', 'leader-lease')) this.registry.deleteInterval('leader-lease');
    // Hand over at once rather than make a standby wait out the TTL.
    const wasLeader = this.leadership;
    this.setLeadership(undefined);
    if (wasLeader) await this.cluster.releaseLease(this.dataSource, LEADER_LEASE, this.config.schedulerId).catch(() => undefined);
    await this.cluster.removeScheduler(this.dataSource, this.config.schedulerId).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.cluster.touchScheduler(this.dataSource, this.config.schedulerId, hostname());
      const lease = await this.cluster.acquireLease(this.dataSource, LEADER_LEASE, this.config.schedulerId, this.config.leaseTtlMs);
      this.setLeadership(lease ? { holder: lease.holder, token: String(lease.token) } : undefined);
    } catch (error) {
      this.logger.warn(`lease renewal failed: ${(error as Error).message}`);
      this.setLeadership(undefined);
    } finally {
      this.renewing = false;
    }
  }

  private setLeadership(next: Leadership | undefined): void {
    const before = this.leadership;
    this.leadership = next;
    if (!before && next) {
      this.logger.log(`elected leader (token ${next.token})`);
      for (const listener of this.listeners) listener.elected(next);
    } else if (before && !next) {
      this.logger.warn('no longer leader');
      for (const listener of this.listeners) listener.deposed();
    } else if (before && next && before.token !== next.token) {
      for (const listener of this.listeners) listener.deposed();
      for (const listener of this.listeners) listener.elected(next);
    }
  }
}
