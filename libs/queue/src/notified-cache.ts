import { NotificationListener } from './notification-listener';

/**
 * A cache of database reads that stays exact across processes: every commit that changes what it
 * holds notifies `channel` (a trigger, at commit), with a payload naming what changed, and each
 * process drops the entries it names. Nothing is kept while the LISTEN is down (a change could go
 * unheard then), everything is dropped when it comes back, and a read that began before a change
 * is never kept after it (a generation counter). An `undefined` read (nothing found) is not kept:
 * whatever the key names may be created meanwhile, and made-up keys must not evict real entries.
 */
export class NotifiedCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly listener: NotificationListener;
  private listening = false;
  private generation = 0;

  constructor(
    databaseUrl: string,
    channel: string,
    /** The keys a notification's payload makes stale (empty payload: all of them). */
    private readonly staleKeys: (payload: string, key: string) => boolean,
    private readonly capacity = 10_000,
  ) {
    this.listener = new NotificationListener(
      databaseUrl,
      channel,
      (payload) => this.forget(payload),
      () => this.forget(''),
      (listening) => {
        this.listening = listening;
        if (!listening) this.forget('');
      },
    );
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  async get(key: string, read: () => Promise<V>): Promise<V> {
    if (this.entries.has(key)) return this.entries.get(key)!;
    const generation = this.generation;
    const value = await read();
    if (value !== undefined && this.listening && generation === this.generation) {
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Drops what a payload names, or everything for an empty one: also for a change made here, before its notification arrives. */
  forget(payload: string): void {
    this.generation += 1;
    if (payload === '') return this.entries.clear();
    for (const key of this.entries.keys()) if (this.staleKeys(payload, key)) this.entries.delete(key);
  }
}
