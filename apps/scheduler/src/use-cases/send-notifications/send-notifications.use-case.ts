import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  deliveryDecision,
  notificationBody,
  notificationType,
  renderNotification,
  TIMERS_CHANNEL,
  type DeliveryRetryPolicy,
  type NotifiedRun,
} from '@flowctl/core';
import {
  ClusterRepository,
  LEADER_LEASE,
  NotificationDeliveryRepository,
  RunRepository,
  SecretRepository,
  TaskRunRepository,
  type AttemptOutcome,
  type NotificationDeliveryRow,
} from '@flowctl/persistence';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import { TransactionRunner } from '../../engine/transaction-runner';
import { WorkflowCatalog } from '../../engine/workflow-catalog';
import { NotificationMetrics } from '../../metrics/notification-metrics';
import { WebhookClient, type WebhookAnswer } from '../../notifications/webhook-client';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../../notifications/webhook-signature';
import { describeRun } from './describe-run';

/** Past the POST's own time limit, a claim this much older means its sender died: the delivery is due again. */
const CLAIM_MARGIN_MS = 30_000;

/**
 * Leader duty: sends due notification deliveries (spec.notify) and keeps every attempt and its answer.
 * Claiming is fenced by the lease token and pushes each claimed delivery out of reach for the time of
 * the attempt, so two schedulers never send the same attempt; a sender that dies mid-request leaves the
 * delivery to be sent again once its claim runs out (at least once, never lost).
 */
@Injectable()
export class SendNotificationsUseCase {
  private readonly logger = new Logger(SendNotificationsUseCase.name);
  private readonly policy: DeliveryRetryPolicy;
  private readonly claimMs: number;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transactions: TransactionRunner,
    private readonly deliveries: NotificationDeliveryRepository,
    private readonly cluster: ClusterRepository,
    private readonly runs: RunRepository,
    private readonly taskRuns: TaskRunRepository,
    private readonly secrets: SecretRepository,
    private readonly catalog: WorkflowCatalog,
    private readonly client: WebhookClient,
    private readonly metrics: NotificationMetrics,
  ) {
    const { maxAttempts, maxAgeMs, initialIntervalMs, maxIntervalMs, timeoutMs } = config.notifications;
    this.policy = { maxAttempts, maxAgeMs, initialIntervalMs, maxIntervalMs };
    this.claimMs = timeoutMs + CLAIM_MARGIN_MS;
  }

  /** Due deliveries for one attempt each, taken by this leader; none when it no longer holds the lease. */
  async claim(holder: string, token: string, limit: number): Promise<NotificationDeliveryRow[]> {
    return this.transactions.run(async (tx) => {
      if (!(await this.cluster.holdsLease(tx, LEADER_LEASE, holder, token))) return [];
      return this.deliveries.claimDue(tx, limit, this.claimMs);
    });
  }

  /** Sends claimed deliveries side by side, then records every attempt in one transaction. */
  async send(claimed: readonly NotificationDeliveryRow[]): Promise<void> {
    if (claimed.length === 0) return;
    const runs = new Map<string, Promise<NotifiedRun | undefined>>();
    const secrets = await this.openSecrets(claimed);
    const outcomes = await Promise.all(
      claimed.map(async (delivery): Promise<AttemptOutcome> => {
        let run = runs.get(delivery.runId);
        if (!run) runs.set(delivery.runId, (run = this.describe(delivery.runId)));
        const answer = await this.attempt(delivery, await run, secrets);
        return this.outcome(delivery, answer);
      }),
    );
    // The NOTIFY wakes the timer duty: a retry may now be the soonest deadline, and a full sender has room again.
    await this.transactions.run(async (tx) => {
      await this.deliveries.recordAttempts(tx, outcomes);
      await tx.query(`SELECT pg_notify('${TIMERS_CHANNEL}', '')`);
    });
    for (const outcome of outcomes) {
      this.metrics.attempted(
        outcome.status === 'pending' ? 'retried' : outcome.status === 'delivered' ? 'delivered' : 'failed',
        outcome.durationMs,
      );
    }
  }

  private async attempt(
    delivery: NotificationDeliveryRow,
    run: NotifiedRun | undefined,
    secrets: ReadonlyMap<string, string | Error>,
  ): Promise<WebhookAnswer> {
    const failed = (error: string): WebhookAnswer => ({
      startedAt: new Date(),
      durationMs: 0,
      statusCode: null,
      response: null,
      error,
      refused: false,
    });
    if (!run) return failed(`run ${delivery.runId} is gone`);
    const described = delivery.event === 'dead_letter' ? run : { ...run, status: delivery.event };
    const body = renderNotification(
      delivery.format,
      notificationBody(delivery.id, delivery.event, described, delivery.deadTask ?? undefined),
    );
    const headers: Record<string, string> = { 'x-flowctl-event': notificationType(delivery.event), 'x-flowctl-delivery': delivery.id };
    if (delivery.secretName) {
      const secret = secrets.get(secretKey(delivery.namespace, delivery.secretName));
      if (typeof secret !== 'string') return failed(secret?.message ?? `secret ${delivery.secretName} cannot be read`);
      const timestamp = Math.floor(Date.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = webhookSignature(secret, timestamp, body);
    }
    return this.client.post(delivery.url, body, headers);
  }

  private outcome(delivery: NotificationDeliveryRow, answer: WebhookAnswer): AttemptOutcome {
    const decision = deliveryDecision(answer, delivery.attempts, delivery.createdAt, new Date(), this.policy);
    if (decision.status === 'failed') {
      this.logger.warn(
        `notification ${delivery.id} of run ${delivery.runId} to ${new URL(delivery.url).host} given up (${decision.reason})`,
      );
    }
    return {
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      startedAt: answer.startedAt,
      durationMs: answer.durationMs,
      statusCode: answer.statusCode,
      response: answer.response,
      error: answer.error,
      status: decision.status,
      nextAttemptAt: decision.status === 'pending' ? decision.retryAt : null,
    };
  }

  private async describe(runId: string): Promise<NotifiedRun | undefined> {
    const db = this.transactions.db;
    const run = await this.runs.find(db, runId);
    if (!run) return undefined;
    const workflow = await this.catalog.byVersionId(db, run.workflowVersionId);
    return describeRun(
      db,
      run,
      workflow,
      { failedTasksOf: (...args) => this.deliveries.failedTasksOf(...args), outputs: (...args) => this.taskRuns.outputs(...args) },
      this.config.notifications.dashboardUrl,
    );
  }

  /** Signing secrets by namespace and name, opened with the scheduler's key (an Error where one cannot be). */
  private async openSecrets(claimed: readonly NotificationDeliveryRow[]): Promise<Map<string, string | Error>> {
    const wanted = new Map<string, { namespace: string; name: string }>();
    for (const { namespace, secretName } of claimed) {
      if (secretName) wanted.set(secretKey(namespace, secretName), { namespace, name: secretName });
    }
    const opened = new Map<string, string | Error>();
    if (wanted.size === 0) return opened;
    const keyring = this.config.secretKeyring;
    for (const row of await this.secrets.findSealed(this.transactions.db, [...wanted.values()])) {
      try {
        if (!keyring) throw new Error(`secret ${row.name} cannot be opened: the scheduler has no FLOWCTL_SECRET_KEY`);
        opened.set(
          secretKey(row.namespace, row.name),
          keyring.open(row.namespace, row.name, {
            keyId: row.keyId,
            nonce: row.nonce.toString('base64'),
            ciphertext: row.ciphertext.toString('base64'),
          }),
        );
      } catch (error) {
        opened.set(secretKey(row.namespace, row.name), error as Error);
      }
    }
    for (const [key, { namespace, name }] of wanted) {
      if (!opened.has(key)) opened.set(key, new Error(`secret ${name} is not set in namespace ${namespace}`));
    }
    return opened;
  }
}

const secretKey = (namespace: string, name: string) => `${namespace}/${name}`;
