import { GroupCommit, GroupMayHaveCommitted, type CommandOutcome } from './group-commit';

/** A commit that records its groups and finishes when the test says so. */
function controlledCommit(answer: (command: number) => CommandOutcome<string> = (n) => ({ value: `done ${n}` })) {
  const groups: number[][] = [];
  const finishers: (() => void)[] = [];
  const failers: ((error: unknown) => void)[] = [];
  const commit = (commands: readonly number[]) =>
    new Promise<CommandOutcome<string>[]>((resolve, reject) => {
      groups.push([...commands]);
      finishers.push(() => resolve(commands.map(answer)));
      failers.push(reject);
    });
  return { groups, commit, finish: (i: number) => finishers[i]!(), fail: (i: number, error: unknown) => failers[i]!(error) };
}

/** A few turns of the event loop: enough for a finished group to hand over to the next. */
const turn = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('GroupCommit', () => {
  it('sends a lone command at once, alone', async () => {
    const { groups, commit, finish } = controlledCommit();
    const committer = new GroupCommit(commit, { maxGroupSize: 10, maxGroupsInFlight: 1 });
    const answer = committer.submit(1);
    await turn();
    expect(groups).toEqual([[1]]);
    finish(0);
    await expect(answer).resolves.toBe('done 1');
  });

  it('folds the commands that arrive while a group commits into the next group, and answers none before its commit', async () => {
    const { groups, commit, finish } = controlledCommit();
    const committer = new GroupCommit(commit, { maxGroupSize: 10, maxGroupsInFlight: 1 });
    const first = committer.submit(1);
    await turn();
    const later = [2, 3, 4].map((n) => committer.submit(n));
    let answered = 0;
    for (const answer of later) void answer.then(() => (answered += 1));
    await turn();
    expect(groups).toEqual([[1]]);
    finish(0);
    await first;
    await turn();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    expect(answered).toBe(0);
    finish(1);
    await expect(Promise.all(later)).resolves.toEqual(['done 2', 'done 3', 'done 4']);
  });

  it('keeps groups within maxGroupSize and maxGroupsInFlight', async () => {
    const { groups, commit, finish } = controlledCommit();
    const committer = new GroupCommit(commit, { maxGroupSize: 2, maxGroupsInFlight: 2 });
    const answers = [1, 2, 3, 4, 5].map((n) => committer.submit(n));
    await turn();
    expect(groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
    finish(0);
    await turn();
    expect(groups).toEqual([[1, 2], [3, 4], [5]]);
    finish(1);
    finish(2);
    await expect(Promise.all(answers)).resolves.toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
  });

  it('answers a refused command with its own error and the others with their results', async () => {
    const refusal = new Error('workflow "nope" not found');
    const { commit, finish } = controlledCommit((n) => (n === 2 ? { error: refusal } : { value: `done ${n}` }));
    const committer = new GroupCommit(commit, { maxGroupSize: 10, maxGroupsInFlight: 1 });
    const answers = [1, 2, 3].map((n) => committer.submit(n));
    await turn();
    finish(0);
    await expect(answers[0]).resolves.toBe('done 1');
    await expect(answers[1]).rejects.toBe(refusal);
    await expect(answers[2]).resolves.toBe('done 3');
  });

  it('tries the commands of a group that failed as a whole one by one, so only the culprit fails', async () => {
    const poison = new Error('invalid input syntax for type json');
    const groups: number[][] = [];
    const committer = new GroupCommit<number, string>(
      async (commands) => {
        groups.push([...commands]);
        if (commands.includes(2)) throw poison;
        return commands.map((n) => ({ value: `done ${n}` }));
      },
      { maxGroupSize: 10, maxGroupsInFlight: 1 },
    );
    const answers = [1, 2, 3].map((n) => committer.submit(n));
    await expect(answers[0]).resolves.toBe('done 1');
    await expect(answers[1]).rejects.toBe(poison);
    await expect(answers[2]).resolves.toBe('done 3');
    expect(groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('never tries again a group whose commit may have happened', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    let commits = 0;
    const committer = new GroupCommit<number, string>(
      async () => {
        commits += 1;
        throw new GroupMayHaveCommitted(lost);
      },
      { maxGroupSize: 10, maxGroupsInFlight: 1 },
    );
    const answers = [1, 2].map((n) => committer.submit(n));
    await expect(answers[0]).rejects.toBe(lost);
    await expect(answers[1]).rejects.toBe(lost);
    expect(commits).toBe(1);
  });
});
