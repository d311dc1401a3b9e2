import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Who spends a load row's CPU: the stack under test, the services it stands on, and the bench itself. */
export type Role = 'scheduler' | 'worker' | 'postgres' | 'redis' | 'load';

export const ROLE_NAMES: Record<Role, string> = {
  scheduler: 'scheduler',
  worker: 'worker',
  postgres: 'PostgreSQL',
  redis: 'Redis',
  load: 'load generator',
};

/** User plus system CPU seconds from the text of /proc/<pid>/stat (fields 14 and 15, counted after the command's closing parenthesis). */
export function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The role of a process by its command line; undefined for one the bench does not count. */
export function roleOf(pid: number, commandLine: string, stack: { scheduler: number; worker: number }): Role | undefined {
  if (pid === stack.scheduler) return 'scheduler';
  if (pid === stack.worker) return 'worker';
  if (pid === process.pid) return 'load';
  // Backends and the server's own processes: on the bench machine every query is the bench's.
  if (commandLine.startsWith('postgres')) return 'postgres';
  if (commandLine.includes('redis-server')) return 'redis';
  return undefined;
}

export type CpuSnapshot = Map<number, { role: Role; seconds: number }>;

/** CPU seconds so far of every process with a role. */
export async function snapshotCpu(stack: { scheduler: number; worker: number }): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = new Map();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const role = roleOf(pid, commandLine, stack);
      if (role) snapshot.set(pid, { role, seconds: cpuSecondsOfStat(await readFile(`/proc/${pid}/stat`, 'utf8')) });
    } catch {
      // gone between the listing and the read
    }
  }
  return snapshot;
}

/**
 * CPU seconds each role spent between two snapshots. A process that started in between counts from
 * zero; one that ended in between is missing from both ends' difference (its last seconds are lost),
 * which a load row's steady pools of connections make rare.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<Role, number> {
  const spent: Record<Role, number> = { scheduler: 0, worker: 0, postgres: 0, redis: 0, load: 0 };
  for (const [pid, { role, seconds }] of after) spent[role] += seconds - (before.get(pid)?.seconds ?? 0);
  return spent;
}

/** `scheduler 2.05, PostgreSQL 0.87, ...` ms per item, largest first. */
export function describeCpuPerItem(spent: Record<Role, number>, items: number): string {
  return (Object.entries(spent) as [Role, number][])
    .sort(([, a], [, b]) => b - a)
    .map(([role, seconds]) => `${ROLE_NAMES[role]} ${((seconds * 1000) / items).toFixed(2)}`)
    .join(', ');
}
