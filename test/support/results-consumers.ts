import type { ResultsChannel, ResultsSubscription } from '@flowctl/queue';
import { waitFor } from './wait-for';

/**
 * A scheduler that takes a report and never finishes applying it, as one
 * killed mid-batch. Resolves once it holds the report; `release` makes its
 * apply fail, so its subscription can close when the test ends.
 */
export async function hangingConsumer(
  channel: ResultsChannel,
  consumerId: string,
  send: () => Promise<void>,
): Promise<{ subscription: ResultsSubscription; release: () => void }> {
  let taken = 0;
  let release!: () => void;
  const hung = new Promise<void>((_, reject) => (release = () => reject(new Error('the process is gone'))));
  hung.catch(() => undefined);
  const subscription = channel.consume(consumerId, () => (taken++, hung), { batchSize: 10, onError: () => undefined });
  await send();
  await waitFor(async () => taken === 1, { timeoutMs: 10_000, what: `${consumerId} to take the report` });
  return { subscription, release };
}

/** A scheduler whose batch fails three times while it holds `poisoned` (the database refusing that report); it records what it applied. */
export function consumerFailingOn(channel: ResultsChannel, poisoned: string): { subscription: ResultsSubscription; applied: string[] } {
  const applied: string[] = [];
  let failures = 0;
  const subscription = channel.consume(
    'one',
    async (messages) => {
      const ids = messages.map((message) => ('taskRunId' in message ? message.taskRunId : ''));
      if (ids.includes(poisoned) && failures++ < 3) throw new Error('database said no');
      applied.push(...ids);
    },
    { batchSize: 10, onError: () => undefined },
  );
  return { subscription, applied };
}
