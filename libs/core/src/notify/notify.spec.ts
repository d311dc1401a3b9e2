import { deliveriesFor } from './deliveries-for';
import { deliveryDecision, nextDeliveryDelay, type DeliveryRetryPolicy } from './delivery-decision';
import { notificationBody, renderNotification, slackBody, type NotifiedRun } from './notification-body';

const policy: DeliveryRetryPolicy = { maxAttempts: 5, maxAgeMs: 3_600_000, initialIntervalMs: 1_000, maxIntervalMs: 8_000 };
const created = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(created.getTime() + ms);

describe('deliveriesFor', () => {
  const notify = [
    { on: ['failed' as const, 'timed_out' as const], webhook: { url: 'https://a.example/', secret: 'KEY', format: 'json' as const } },
    { on: ['dead_letter' as const, 'failed' as const], webhook: { url: 'https://b.example/', format: 'slack' as const } },
  ];

  it('answers one delivery per webhook that asked for the event', () => {
    expect(deliveriesFor(notify, 'failed')).toEqual([
      { event: 'failed', url: 'https://a.example/', secretName: 'KEY', format: 'json' },
      { event: 'failed', url: 'https://b.example/', secretName: null, format: 'slack' },
    ]);
    expect(deliveriesFor(notify, 'dead_letter').map((d) => d.url)).toEqual(['https://b.example/']);
  });

  it('answers none for an event nobody asked for, a state that is no end, or no notify', () => {
    expect(deliveriesFor(notify, 'succeeded')).toEqual([]);
    expect(deliveriesFor(notify, 'running')).toEqual([]);
    expect(deliveriesFor(undefined, 'failed')).toEqual([]);
  });
});

describe('deliveryDecision', () => {
  const outcome = (statusCode: number | null, refused = false) => ({ statusCode, refused });

  it('delivers on any 2xx answer', () => {
    expect(deliveryDecision(outcome(204), 1, created, at(0), policy)).toEqual({ status: 'delivered' });
  });

  it('retries a refused connection, a 5xx, a 408 or a 429 with a doubling wait capped at the maximum', () => {
    expect(deliveryDecision(outcome(null), 1, created, at(0), policy)).toEqual({ status: 'pending', retryAt: at(1_000) });
    expect(deliveryDecision(outcome(503), 2, created, at(5_000), policy)).toEqual({ status: 'pending', retryAt: at(7_000) });
    expect(deliveryDecision(outcome(429), 3, created, at(0), policy)).toEqual({ status: 'pending', retryAt: at(4_000) });
    expect(deliveryDecision(outcome(408), 1, created, at(0), policy).status).toBe('pending');
    expect([1, 2, 3, 4, 5].map((attempt) => nextDeliveryDelay(policy, attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('fails at once on another 4xx or a destination the policy refuses', () => {
    expect(deliveryDecision(outcome(404), 1, created, at(0), policy)).toEqual({ status: 'failed', reason: 'refused' });
    expect(deliveryDecision(outcome(null, true), 1, created, at(0), policy)).toEqual({ status: 'failed', reason: 'refused' });
  });

  it('gives up after the last attempt, or when the next would start past the maximum age', () => {
    expect(deliveryDecision(outcome(500), 5, created, at(0), policy)).toEqual({ status: 'failed', reason: 'attempts_exhausted' });
    expect(deliveryDecision(outcome(500), 2, created, at(3_599_000), policy)).toEqual({ status: 'failed', reason: 'too_old' });
  });
});

describe('notification bodies', () => {
  const run: NotifiedRun = {
    id: 'r1',
    namespace: 'default',
    workflow: 'billing',
    version: 3,
    status: 'failed',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    error: null,
    failedTasks: [{ name: 'charge', status: 'dead', error: { type: 'HttpStatusError', message: 'answered <500> & gave up' } }],
    outputs: {},
    url: 'https://flowctl.example/runs/r1',
  };

  it('types the JSON body by event and carries the dead task', () => {
    const deadTask = { task: 'charge', type: 'http', attempt: 3, error: null };
    expect(notificationBody('7', 'dead_letter', run, deadTask)).toEqual({ type: 'task.dead_letter', deliveryId: '7', run, deadTask });
    expect(JSON.parse(renderNotification('json', notificationBody('7', 'failed', run)))).toEqual({
      type: 'run.failed',
      deliveryId: '7',
      run,
    });
  });

  it('gives Slack a fallback text and blocks, with markup in error messages escaped', () => {
    const slack = slackBody(notificationBody('7', 'failed', run));
    expect(slack.text).toBe(':x: default/billing run r1 failed');
    expect(slack.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':x: default/billing run r1 failed' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*charge* dead: HttpStatusError: answered &lt;500&gt; &amp; gave up' } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'version 3' },
          { type: 'mrkdwn', text: 'finished 2026-01-01T00:01:00.000Z' },
        ],
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open run' }, url: 'https://flowctl.example/runs/r1' }],
      },
    ]);
  });
});
