import * as channels from '@flowctl/core';
import { MIGRATIONS } from './migrations';

const CHANNELS = [channels.TIMERS_CHANNEL, channels.RUN_EVENTS_CHANNEL, channels.TASK_LOGS_CHANNEL, channels.RESULTS_CHANNEL];

describe('notification channels', () => {
  it('are distinct identifiers that LISTEN takes unquoted', () => {
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    for (const channel of CHANNELS) expect(channel).toMatch(/^[a-z_][a-z0-9_]*$/);
  });

  it('include the one the run-events trigger notifies: a migration spells it as history, and must agree', async () => {
    const sql: string[] = [];
    const migration = MIGRATIONS.map((Migration) => new Migration()).find((m) => m.name === 'RunEventNotifications1700000000005');
    await migration!.up({ query: async (text: string) => void sql.push(text) } as never);
    expect(sql.join('\n')).toContain(`pg_notify('${channels.RUN_EVENTS_CHANNEL}', run_id::text)`);
  });
});
