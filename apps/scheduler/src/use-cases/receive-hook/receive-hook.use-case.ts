import { Inject, Injectable } from '@nestjs/common';
import { NotFound, type HookSignature } from '@flowctl/core';
import { getLogger } from '@flowctl/observability';
import { SecretRepository, uuidV7, type EventRow } from '@flowctl/persistence';
import { Unauthorized } from '../../auth/auth-errors';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../../config/scheduler-config';
import { TransactionRunner } from '../../engine/transaction-runner';
import { EventMetrics, type EventRejection } from '../../metrics/event-metrics';
import { ReceiveEventUseCase } from '../receive-event/receive-event.use-case';
import { TriggerListeners, type Listener } from '../receive-event/trigger-listeners';
import { checkHookSignature, SIGNATURE_HEADERS, type SignatureCheck } from './hook-signature';

export interface HookCall {
  namespace: string;
  hook: string;
  /** The body exactly as sent: what the signature covers. */
  rawBody: Buffer;
  /** The body parsed: the event's data. */
  data: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Sent by the caller to name the delivery, so its retries are one event: GitHub's, else ours. */
const DELIVERY_ID_HEADERS = ['x-github-delivery', 'x-event-id'];

/** Rejections from worst to most telling: the one reported is the most telling any trigger gave. */
const REJECTIONS: readonly (SignatureCheck | 'unavailable')[] = ['missing', 'unavailable', 'bad', 'expired'];

/**
 * `POST /hooks/:name`: every workflow declaring the hook checks the call's
 * signature with its own secret and scheme; the call becomes an event for the
 * triggers whose check passed. None passed: 401, nothing started, the refusal
 * stored (without the body) and counted.
 */
@Injectable()
export class ReceiveHookUseCase {
  private readonly logger = getLogger(ReceiveHookUseCase.name);

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly transactions: TransactionRunner,
    private readonly secrets: SecretRepository,
    private readonly listeners: TriggerListeners,
    private readonly receiveEvent: ReceiveEventUseCase,
    private readonly metrics: EventMetrics,
  ) {}

  async execute(call: HookCall): Promise<EventRow> {
    const { namespace, hook } = call;
    const listeners = await this.listeners.of(namespace, 'hook', hook);
    if (listeners.length === 0) {
      this.metrics.eventRejected('hook', 'unknown_hook');
      throw new NotFound(`no workflow declares hook "${hook}" in namespace "${namespace}"`);
    }
    const secrets = await this.openSecrets(namespace, listeners);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const checks = listeners.map(({ trigger }) => {
      if (!('hook' in trigger)) return 'bad';
      const secret = secrets.get(trigger.hook.secret);
      if (secret === undefined) return 'unavailable';
      return checkHookSignature(trigger.hook.signature, headerOf(call, trigger.hook.signature), secret, call.rawBody, nowSeconds);
    });
    const verified = listeners.filter((_, i) => checks[i] === 'valid');
    const id = deliveryIdOf(call);
    if (verified.length === 0) {
      const worst = REJECTIONS.filter((rejection) => checks.includes(rejection)).at(-1) ?? 'bad';
      await this.receiveEvent.recordRejected({ namespace, name: hook, id: uuidV7(), source: 'hook' }, REASONS[worst], METRIC[worst]);
      throw new Unauthorized(
        worst === 'unavailable'
          ? 'the hook cannot check signatures'
          : `hook signature ${worst === 'expired' ? 'expired' : worst === 'missing' ? 'missing' : 'invalid'}`,
      );
    }
    return this.receiveEvent.execute({ namespace, name: hook, ...(id ? { id } : {}), data: call.data, source: 'hook' }, verified);
  }

  /** The hook secrets the listeners name, opened; one that is not set or cannot be opened is left out (and logged). */
  private async openSecrets(namespace: string, listeners: readonly Listener[]): Promise<Map<string, string>> {
    const names = [...new Set(listeners.flatMap(({ trigger }) => ('hook' in trigger ? [trigger.hook.secret] : [])))];
    const opened = new Map<string, string>();
    const keyring = this.config.secretKeyring;
    if (!keyring) {
      this.logger.warn({ namespace }, 'a hook was called but the scheduler has no FLOWCTL_SECRET_KEY to open its secret');
      return opened;
    }
    const sealed = await this.secrets.findSealed(
      this.transactions.db,
      names.map((name) => ({ namespace, name })),
    );
    for (const row of sealed) {
      try {
        opened.set(
          row.name,
          keyring.open(namespace, row.name, {
            keyId: row.keyId,
            nonce: row.nonce.toString('base64'),
            ciphertext: row.ciphertext.toString('base64'),
          }),
        );
      } catch (error) {
        this.logger.warn({ namespace, secret: row.name, err: error }, 'a hook secret cannot be opened');
      }
    }
    for (const name of names) if (!opened.has(name)) this.logger.warn({ namespace, secret: name }, 'a hook secret is not set');
    return opened;
  }
}

const REASONS: Record<SignatureCheck | 'unavailable', string> = {
  valid: '',
  missing: 'signature missing',
  bad: 'signature invalid',
  expired: 'signature outside the replay window',
  unavailable: 'hook secret not set or not readable',
};
const METRIC: Record<SignatureCheck | 'unavailable', EventRejection> = {
  valid: 'signature_bad',
  missing: 'signature_missing',
  bad: 'signature_bad',
  expired: 'signature_expired',
  unavailable: 'secret_unavailable',
};

function headerOf(call: HookCall, scheme: HookSignature): string | undefined {
  const value = call.headers[SIGNATURE_HEADERS[scheme]];
  return Array.isArray(value) ? value[0] : value;
}

function deliveryIdOf(call: HookCall): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = call.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text && text.length <= 128) return text;
  }
  return undefined;
}
