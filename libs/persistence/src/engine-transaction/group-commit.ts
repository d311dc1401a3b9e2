/** What a group's commit answers for one command: its result, or the error that refuses it alone. */
export type CommandOutcome<R> = { value: R } | { error: unknown };

/**
 * Thrown by a group's commit when the group committed or may have (the COMMIT itself failed, or
 * something after it): its commands are answered with `failure` and never tried again, which could
 * do them twice.
 */
export class GroupMayHaveCommitted extends Error {
  constructor(readonly failure: unknown) {
    super(`a group commit failed at or after its commit: ${(failure as Error)?.message ?? String(failure)}`);
    this.name = 'GroupMayHaveCommitted';
  }
}

export interface GroupCommitOptions {
  /** Most commands in one transaction: bounds its statements and how long it holds its locks. */
  maxGroupSize: number;
  /** Groups committing at once: a second one overlaps its statements with the first one's fsync. */
  maxGroupsInFlight: number;
}

interface Waiting<C, R> {
  command: C;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: commands that arrive while a group commits wait and then go
 * together in the next transaction, so N concurrent commands cost one commit
 * and a few statements, not N of each. A command that finds no group in
 * flight goes at the next turn of the event loop: an idle system waits for
 * nobody. Each command is answered only once its group's commit is done.
 * A group that fails as a whole (a database error that one command may have
 * caused) rolled back: its commands are tried again one by one, so a failure
 * is only ever its own command's.
 */
export class GroupCommit<C, R> {
  private readonly waiting: Waiting<C, R>[] = [];
  private inFlight = 0;
  private startScheduled = false;

  constructor(
    private readonly commit: (commands: readonly C[]) => Promise<CommandOutcome<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(command: C): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ command, resolve, reject });
      this.scheduleStart();
    });
  }

  private scheduleStart(): void {
    if (this.startScheduled || this.waiting.length === 0 || this.inFlight >= this.options.maxGroupsInFlight) return;
    this.startScheduled = true;
    // The commands of one turn of the event loop (requests read from several sockets at once) go together.
    setImmediate(() => {
      this.startScheduled = false;
      while (this.waiting.length > 0 && this.inFlight < this.options.maxGroupsInFlight) {
        const group = this.waiting.splice(0, this.options.maxGroupSize);
        this.inFlight += 1;
        void this.run(group).finally(() => {
          this.inFlight -= 1;
          this.scheduleStart();
        });
      }
    });
  }

  private async run(group: readonly Waiting<C, R>[]): Promise<void> {
    let outcomes: CommandOutcome<R>[];
    try {
      outcomes = await this.commit(group.map((entry) => entry.command));
    } catch (error) {
      if (error instanceof GroupMayHaveCommitted) {
        for (const entry of group) entry.reject(error.failure);
      } else if (group.length === 1) {
        group[0]!.reject(error);
      } else {
        for (const entry of group) await this.run([entry]);
      }
      return;
    }
    group.forEach((entry, index) => {
      const outcome = outcomes[index];
      if (!outcome) entry.reject(new Error('group commit answered fewer outcomes than commands'));
      else if ('value' in outcome) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }
}
