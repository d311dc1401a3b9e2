import { cpuBetween, cpuSecondsOfStat, describeCpuPerItem, roleOf, type CpuSnapshot } from './cpu-by-role';

describe('cpuSecondsOfStat', () => {
  it('adds user and system ticks, whatever the command name holds', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 11 0';
    expect(cpuSecondsOfStat(stat)).toBeCloseTo(2.87);
  });
});

describe('roleOf', () => {
  const stack = { scheduler: 10, worker: 11 };
  it('knows the stack by pid and the services by command line', () => {
    expect(roleOf(10, 'node dist/apps/scheduler/src/main.js', stack)).toBe('scheduler');
    expect(roleOf(11, 'node dist/apps/worker/src/main.js', stack)).toBe('worker');
    expect(roleOf(process.pid, 'node dist/bench/main.js', stack)).toBe('load');
    expect(roleOf(12, 'postgres: 15/main: postgres flowctl_bench_1 127.0.0.1(4711) idle', stack)).toBe('postgres');
    expect(roleOf(13, 'redis-server 127.0.0.1:6379', stack)).toBe('redis');
    expect(roleOf(14, 'node dist/apps/scheduler/src/main.js', stack)).toBeUndefined();
  });
});

describe('cpuBetween', () => {
  it('sums each role, counting a process that started in between from zero', () => {
    const before: CpuSnapshot = new Map([
      [10, { role: 'scheduler', seconds: 5 }],
      [12, { role: 'postgres', seconds: 1 }],
    ]);
    const after: CpuSnapshot = new Map([
      [10, { role: 'scheduler', seconds: 7.5 }],
      [12, { role: 'postgres', seconds: 1.25 }],
      [15, { role: 'postgres', seconds: 0.5 }],
    ]);
    expect(cpuBetween(before, after)).toEqual({ scheduler: 2.5, worker: 0, postgres: 0.75, redis: 0, load: 0 });
  });
});

describe('describeCpuPerItem', () => {
  it('gives milliseconds per item, largest first', () => {
    expect(describeCpuPerItem({ scheduler: 2, worker: 0.5, postgres: 1, redis: 0.25, load: 0 }, 1000)).toBe(
      'scheduler 2.00, PostgreSQL 1.00, worker 0.50, Redis 0.25, load generator 0.00',
    );
  });
});
