import type { Redis } from 'ioredis';
import { parseResultMessage } from './result-message.guard';
import type { ResultMessage } from './task-job';

/** Applies a batch of reports; throwing leaves every report of the batch to be delivered again. */
export type ApplyResults = (messages: ResultMessage[]) => Promise<void>;

export interface ResultsSubscription {
  /** Stops taking reports; the batch in hand is applied (or left for redelivery) first. */
  close(): Promise<void>;
}

/** How worker reports reach the schedulers: at least once, applied idempotently by the engine. */
export interface ResultsChannel {
  publish(message: ResultMessage): Promise<void>;
  /** Many reports, appended in this order: an attempt's last log lines, then its outcome. */
  publishMany(messages: readonly ResultMessage[]): Promise<void>;
  consume(consumerId: string, apply: ApplyResults, options: ConsumeOptions): ResultsSubscription;
  /**
   * Whether every scheduler reading the channel stores the log lines an outcome carries (AttemptLogTail).
   * A worker sends an attempt's last lines inside its outcome only then: a scheduler from before log tails
   * would apply the outcome and drop its lines.
   */
  readersTakeLogTails(): Promise<boolean>;
  /** Reports not yet applied and the age of the oldest: how far result application lags (for metrics; O(1) reads). */
  backlog(): Promise<ResultsBacklog>;
  /** A point in the channel: every report whose sending finished before this call lies at or before it. */
  mark(): Promise<ResultsMark>;
  /** Whether every report at or before `mark` has been applied (or given up on), and so is in PostgreSQL. */
  isSettledThrough(mark: ResultsMark): Promise<boolean>;
}

/** Opaque: a stream entry id, or a time for the queue channel. */
export type ResultsMark = string;

export interface ResultsBacklog {
  /** Reports sent and not yet acknowledged (waiting, or taken by a scheduler and not committed yet). */
  reports: number;
  /** Age of the oldest of them; 0 when there are none. */
  oldestAgeMs: number;
}

export interface ConsumeOptions {
  /** Reports taken (and applied in one transaction) at most at once. */
  batchSize: number;
  onError(message: string): void;
}

const GROUP = 'schedulers';
/**
 * The end of a reader's consumer name when it takes log tails. The consumer group already lists every
 * reader, so a worker learns from it, with no registry of its own, whether an older scheduler still reads.
 */
const TAKES_LOG_TAILS = '+log-tails';
/**
 * A consumer handed nothing for this long is taken for gone: a stopped scheduler's name stays in the group.
 * A live older scheduler of a quiet cluster counts again from the first report it is handed, and workers
 * ask again within 30 s, so what it can drop is at most that long's last lines, never an outcome.
 */
const READER_GONE_AFTER_MS = 60_000;
/** A report a scheduler took but did not acknowledge for this long is taken over by another (its taker died or failed). */
export const RESULTS_CLAIM_IDLE_MS = 5_000;
/** After this many deliveries a report that keeps failing is dropped (and logged): the task's timeouts recover it. */
export const MAX_DELIVERIES = 20;
const BLOCK_MS = 2_000;

/**
 * Reports on a Redis stream read by a consumer group of schedulers. A worker's
 * report is one XADD; a scheduler takes up to a batch in one XREADGROUP and
 * acknowledges (XACK + XDEL) after the transaction that applied it commits. A
 * report taken by a scheduler that died is claimed by a live one after a few
 * seconds of idleness, not after a job lock expires.
 */
export class StreamResultsChannel implements ResultsChannel {
  readonly key: string;

  /** `createClient` makes a connection of its own for each blocking reader. */
  constructor(
    private readonly client: Redis,
    private readonly createClient: () => Redis,
    prefix: string,
  ) {
    this.key = `{${prefix}}:results`;
  }

  async publish(message: ResultMessage): Promise<void> {
    await this.client.xadd(this.key, '*', 'm', JSON.stringify(message));
  }

  /**
   * Back-to-back XADDs on one connection, so Redis appends them in this order. Not an ioredis pipeline:
   * building one copies every script its client defines (BullMQ's dozens) onto it, which cost a worker
   * more than the XADDs themselves when every attempt sent its last log lines with its outcome.
   */
  async publishMany(messages: readonly ResultMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await Promise.all(messages.map((message) => this.client.xadd(this.key, '*', 'm', JSON.stringify(message))));
  }

  /** Acknowledged reports are deleted, so the stream holds exactly the backlog; an entry id starts with its time. */
  async backlog(): Promise<ResultsBacklog> {
    const [length, oldest] = await Promise.all([this.client.xlen(this.key), this.client.xrange(this.key, '-', '+', 'COUNT', 1)]);
    const sentAt = Number(oldest[0]?.[0]?.split('-')[0]);
    return { reports: length, oldestAgeMs: length > 0 && Number.isFinite(sentAt) ? Math.max(0, Date.now() - sentAt) : 0 };
  }

  /** The newest entry: ids only grow, and an XADD that returned is visible to this read. */
  async mark(): Promise<ResultsMark> {
    const [newest] = await this.client.xrevrange(this.key, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  /** Entries are deleted once their batch committed (or was given up on): none left up to the mark means all applied. */
  async isSettledThrough(mark: ResultsMark): Promise<boolean> {
    if (mark === '0-0') return true;
    return (await this.client.xrange(this.key, '-', mark, 'COUNT', 1)).length === 0;
  }

  async readersTakeLogTails(): Promise<boolean> {
    let consumers: unknown[];
    try {
      consumers = (await this.client.xinfo('CONSUMERS', this.key, GROUP)) as unknown[];
    } catch {
      return false; // no stream or group yet: no scheduler has read
    }
    const readers = consumers.map(fieldsOf).filter((consumer) => Number(consumer.idle) < READER_GONE_AFTER_MS);
    return readers.length > 0 && readers.every((consumer) => String(consumer.name).endsWith(TAKES_LOG_TAILS));
  }

  consume(schedulerId: string, apply: ApplyResults, options: ConsumeOptions): ResultsSubscription {
    const consumerId = `${schedulerId}${TAKES_LOG_TAILS}`;
    const reader = this.createClient();
    let running = true;
    let nextClaimAt = Date.now() + RESULTS_CLAIM_IDLE_MS;
    // Applied reports whose acknowledgement goes out with the next read, in the same write.
    let unacknowledged: string[] = [];
    const loop = (async () => {
      while (running) {
        try {
          await this.ensureGroup();
          if (Date.now() >= nextClaimAt) {
            nextClaimAt = Date.now() + RESULTS_CLAIM_IDLE_MS / 2;
            // This consumer's own applied batch first: one that took longer than RESULTS_CLAIM_IDLE_MS
            // (a heavy batch of log lines) would look abandoned and be applied again, its lines stored twice.
            await this.acknowledge(unacknowledged);
            unacknowledged = [];
            await this.claimAbandoned(consumerId, apply, options);
          }
          const entries = await this.acknowledgeAndRead(reader, unacknowledged, consumerId, options.batchSize);
          unacknowledged = [];
          if (entries.length > 0) unacknowledged = await this.apply(entries, apply, options);
        } catch (error) {
          if (!running) break;
          const text = (error as Error).message;
          if (text.includes('NOGROUP')) this.groupReady = false;
          else options.onError(`results stream: ${text}`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      // Stopping between a commit and the next read: acknowledge now, or the reports wait to be claimed again.
      await this.acknowledge(unacknowledged).catch((error: Error) => options.onError(`results stream: ${error.message}`));
    })();
    return {
      close: async () => {
        running = false;
        // The blocking read returns within BLOCK_MS; disconnecting ends it at once.
        reader.disconnect();
        await loop;
      },
    };
  }

  private groupReady = false;

  /** Created on first use and again after Redis lost it (a restart without persistence, FLUSHALL). */
  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      // From the stream's start: reports written before any scheduler was up are read too.
      await this.client.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error as Error).message.includes('BUSYGROUP')) throw error;
    }
    this.groupReady = true;
  }

  /**
   * The acknowledgement of the last batch (XACK + XDEL in MULTI, so both or
   * neither) and the next blocking read in one write: per batch one round trip
   * and one wake-up of Redis fewer than acknowledging on its own.
   */
  private async acknowledgeAndRead(reader: Redis, applied: readonly string[], consumerId: string, count: number): Promise<StreamEntry[]> {
    const read = ['xreadgroup', 'GROUP', GROUP, consumerId, 'COUNT', count, 'BLOCK', BLOCK_MS, 'STREAMS', this.key, '>'];
    if (applied.length === 0) return entriesOf(await reader.call(...(read as [string, ...(string | number)[]])));
    const answers = await reader.pipeline([['multi'], ...this.acknowledgement(applied), ['exec'], read]).exec();
    const failed = answers?.find(([error]) => error);
    if (!answers || failed) throw failed?.[0] ?? new Error('no answer to the acknowledgement and read');
    return entriesOf(answers.at(-1)![1]);
  }

  private async applyAndAcknowledge(entries: StreamEntry[], apply: ApplyResults, options: ConsumeOptions): Promise<void> {
    await this.acknowledge(await this.apply(entries, apply, options));
  }

  /** Applies a batch; returns the ids done with (applied, or malformed and dropped), to be acknowledged. */
  private async apply(entries: StreamEntry[], apply: ApplyResults, options: ConsumeOptions): Promise<string[]> {
    const parsed: { id: string; message: ResultMessage }[] = [];
    const malformed: string[] = [];
    for (const [id, fields] of entries) {
      const message = parseEntry(fields);
      if (message) parsed.push({ id, message });
      else malformed.push(id);
    }
    if (malformed.length > 0) options.onError(`dropped ${malformed.length} malformed report(s)`);
    const done = [...malformed];
    try {
      await apply(parsed.map((entry) => entry.message));
      done.push(...parsed.map((entry) => entry.id));
    } catch {
      // One bad report must not hold back its neighbours: apply them one by one; failures stay pending.
      for (const entry of parsed) {
        try {
          await apply([entry.message]);
          done.push(entry.id);
        } catch (error) {
          options.onError(`could not apply a ${entry.message.kind} report, will retry: ${(error as Error).message}`);
        }
      }
    }
    return done;
  }

  private async acknowledge(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.multi(this.acknowledgement(ids)).exec();
  }

  /** What acknowledging reports is, sent in MULTI so both or neither apply: the group forgets them, the stream drops them. */
  private acknowledgement(ids: readonly string[]): string[][] {
    return [
      ['xack', this.key, GROUP, ...ids],
      ['xdel', this.key, ...ids],
    ];
  }

  /** Reports left unacknowledged by a scheduler that died (or kept failing): taken over, or dropped after too many tries. */
  private async claimAbandoned(consumerId: string, apply: ApplyResults, options: ConsumeOptions): Promise<void> {
    const pending = (await this.client.xpending(this.key, GROUP, 'IDLE', RESULTS_CLAIM_IDLE_MS, '-', '+', options.batchSize)) as [
      string,
      string,
      number,
      number,
    ][];
    if (pending.length === 0) return;
    const exhausted = pending.filter(([, , , deliveries]) => deliveries >= MAX_DELIVERIES).map(([id]) => id);
    if (exhausted.length > 0) {
      options.onError(`dropped ${exhausted.length} report(s) that failed ${MAX_DELIVERIES} times`);
      await this.acknowledge(exhausted);
    }
    const retry = pending.filter(([, , , deliveries]) => deliveries < MAX_DELIVERIES).map(([id]) => id);
    if (retry.length === 0) return;
    const claimed = (await this.client.xclaim(this.key, GROUP, consumerId, RESULTS_CLAIM_IDLE_MS, ...retry)) as (StreamEntry | null)[];
    const entries = claimed.filter((entry): entry is StreamEntry => entry !== null && Array.isArray(entry[1]));
    if (entries.length > 0) await this.applyAndAcknowledge(entries, apply, options);
  }
}

type StreamEntry = [id: string, fields: string[]];

/** XREADGROUP's answer for one stream: null when the block timed out. */
function entriesOf(answer: unknown): StreamEntry[] {
  return (answer as [string, StreamEntry[]][] | null)?.[0]?.[1] ?? [];
}

/** A flat [name, value, ...] reply (XINFO's) as an object. */
function fieldsOf(reply: unknown): Record<string, unknown> {
  const flat = Array.isArray(reply) ? reply : [];
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1];
  return fields;
}

function parseEntry(fields: string[]): ResultMessage | undefined {
  const index = fields.indexOf('m');
  if (index < 0 || index + 1 >= fields.length) return undefined;
  try {
    return parseResultMessage(JSON.parse(fields[index + 1]!));
  } catch {
    return undefined;
  }
}
