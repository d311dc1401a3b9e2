import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from './support/dashboard-browser';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

/** How long the browser waits for anything to appear; the run steps below take a second or two. */
const UI_TIMEOUT = 15_000;

describe('the dashboard, in Chromium against a real scheduler and worker', () => {
  let stack: FlowctlStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** A webhook receiver that answers 503 to its first request and 200 after. */
  let receiver: Server;
  let received = 0;

  const node = (task: string, status?: string) => page.locator(`[data-task="${task}"]${status ? `[data-status="${status}"]` : ''}`);
  const runStatus = (status: string) => page.locator(`.run-title .status-badge[data-status="${status}"]`);
  const startRun = async (workflow: string) => (await stack.api.post(`/workflows/${workflow}/runs`, {})).body.id as string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    receiver = createServer((request, response) => {
      request.resume();
      response.writeHead(++received === 1 ? 503 : 200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    stack = await FlowctlStack.start({
      label: 'dashboard_e2e',
      schedulerEnv: {
        FLOWCTL_WEB_ROOT: WEB_DIST,
        FLOWCTL_NOTIFY_ALLOWLIST: `127.0.0.1:${receiverPort}`,
        // Long enough for the page to show the delivery waiting for its second attempt.
        FLOWCTL_NOTIFY_RETRY_INITIAL: '3s',
      },
    });
    const workflows = [
      aWorkflow({
        name: 'greeter',
        spec: { inputs: { who: { type: 'string', default: 'world' }, times: { type: 'integer' } } },
        tasks: [
          { name: 'greet', with: { message: 'hello, {{ inputs.who }} x{{ inputs.times }}' } },
          { name: 'wait', type: 'sleep', dependsOn: ['greet'], with: { duration: '1500ms' } },
          { name: 'report', dependsOn: ['wait'], with: { said: '{{ tasks.greet.output.message }}' } },
        ],
      }),
      aWorkflow({
        name: 'breaks',
        tasks: [
          // Fails its only attempt, then succeeds once requeued (attempt 2).
          { name: 'flaky', type: 'fail', retry: { maxAttempts: 1 }, with: { message: 'disk full on /data', untilAttempt: 2 } },
          { name: 'after', dependsOn: ['flaky'] },
        ],
      }),
      aWorkflow({ name: 'slow', tasks: [{ name: 'long-sleep', type: 'sleep', with: { duration: '60s' } }] }),
      aWorkflow({
        name: 'told',
        tasks: [{ name: 'only' }],
        spec: { notify: [{ on: ['succeeded'], webhook: { url: `http://127.0.0.1:${receiverPort}/hook` } }] },
      }),
      aWorkflow({
        name: 'wide',
        spec: { inputs: { items: { type: 'array' } } },
        tasks: [
          // Each instance fails until attempt `item`: with one attempt, the items that are 2 end dead.
          { name: 'each', type: 'fail', forEach: '{{ inputs.items }}', retry: { maxAttempts: 1 }, with: { untilAttempt: '{{ item }}' } },
          { name: 'after', dependsOn: ['each'] },
        ],
      }),
    ];
    for (const workflow of workflows) expect((await stack.api.applyYaml(workflow)).status).toBe(200);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("shows a run's notification going from a refused attempt to delivered, with each answer", async () => {
    const runId = await startRun('told');
    await page.goto(`${stack.url}/runs/${runId}`);
    await runStatus('succeeded').waitFor();
    const delivery = page.getByTestId('notifications').locator('tr[data-delivery]');
    await delivery.and(page.locator('[data-status="pending"]')).waitFor();
    await delivery.getByText('HTTP 503').first().waitFor();
    await delivery.getByText('next').waitFor();
    // The card looks again while a delivery is pending: no reload.
    await delivery.and(page.locator('[data-status="delivered"]')).waitFor();
    await delivery.locator('summary', { hasText: 'HTTP 200' }).click();
    expect(await delivery.locator('.notification-attempts li').allTextContents()).toEqual([
      expect.stringMatching(/HTTP 503 \(\d+ ms\)/),
      expect.stringMatching(/HTTP 200 \(\d+ ms\)/),
    ]);
  });

  it('starts a run from the inputs form, then shows its nodes turning green live', async () => {
    await page.goto(`${stack.url}/workflows/greeter`);
    await page.getByTestId('start-run').click();

    // `times` has no default: the form says so instead of sending a request the API would refuse.
    await page.getByTestId('confirm').click();
    await page.locator('.field-error', { hasText: 'times required' }).waitFor();
    await page.fill('#input-who', 'e2e');
    await page.fill('#input-times', '2');
    await page.getByTestId('confirm').click();

    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').pop()!;
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));

    await node('greet', 'succeeded').waitFor();
    await node('wait', 'running').waitFor();
    await node('report', 'pending').waitFor();
    await node('report', 'succeeded').waitFor();
    await runStatus('succeeded').waitFor();
    expect(await page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(1);
    expect((await stack.api.get(`/runs/${runId}`)).body.inputs).toEqual({ who: 'e2e', times: 2 });

    await node('report').click();
    await page.waitForURL(`${stack.url}/runs/${runId}/tasks/report`);
    await page.getByTestId('task-panel').getByText('hello, e2e x2').first().waitFor();
    expect(await page.getByTestId('timeline').locator('.timeline-row').count()).toBe(3);
  });

  it('shows new runs and their status changes in the runs list without a reload', async () => {
    await page.goto(`${stack.url}/runs?workflow=greeter`);
    await page.getByTestId('runs-table').waitFor();
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 2));
    const { body: run } = await stack.api.post('/workflows/greeter/runs', { inputs: { times: 1 } });
    const row = page.locator(`tr[data-run="${run.id}"]`);
    await row.locator('.status-badge[data-status="running"]').waitFor();
    await row.locator('.status-badge[data-status="succeeded"]').waitFor();
    expect(await page.locator('[data-testid=runs-table] tbody tr').first().getAttribute('data-run')).toBe(run.id);
    expect(await page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(2);
  });

  it("opens a failed task's error with its stack, and requeues its dead letter from the dead-letter page", async () => {
    const runId = await startRun('breaks');
    // A deep link straight to the task, as someone would paste it: the scheduler serves the page for it.
    await page.goto(`${stack.url}/runs/${runId}/tasks/flaky`);
    await node('flaky', 'dead').waitFor();
    const error = page.getByTestId('task-error');
    await error.locator('.task-error-message', { hasText: 'disk full on /data' }).waitFor();
    expect(await error.locator('pre.stack').textContent()).toMatch(/\n\s+at /);
    await runStatus('failed').waitFor();

    await page.getByRole('link', { name: 'Requeue it from dead letters' }).click();
    const row = page.locator(`tr[data-run="${runId}"]`);
    await row.getByRole('link', { name: 'flaky' }).click();
    await page.getByTestId('letter-panel').getByText('disk full on /data').first().waitFor();
    await page.getByTestId('requeue-one').click();
    await page.getByTestId('confirm').click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('1 task requeued; their runs go on.').waitFor();

    await page.goto(`${stack.url}/runs/${runId}`);
    await node('flaky', 'succeeded').waitFor();
    await node('after', 'succeeded').waitFor();
    await runStatus('succeeded').waitFor();
  });

  it("shows the API's own words when a requeue is refused", async () => {
    const runId = await startRun('breaks');
    const letter = await waitFor(
      async () => ((await stack.api.get('/dead-letters?workflow=breaks')).body.items as any[]).find((item) => item.runId === runId),
      { what: 'the dead letter', timeoutMs: UI_TIMEOUT },
    );
    await page.goto(`${stack.url}/dead-letters?workflow=breaks`);
    const row = page.locator(`tr[data-letter="${letter.id}"]`);
    await row.locator('input[type=checkbox]').check();
    // Someone else requeues it first; the dashboard's request then comes second.
    expect((await stack.api.post(`/dead-letters/${letter.id}/requeue`)).status).toBe(200);
    await page.getByTestId('requeue-selected').click();
    await page.getByTestId('confirm').click();
    await page.getByTestId('action-error').getByText(`dead letter ${letter.id} was already requeued`).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('opens a run of 3,000 forEach instances as counts, pages the dead ones, and loads earlier history on demand', async () => {
    const items = Array.from({ length: 3_000 }, (_, i) => (i % 500 === 7 ? 2 : 1));
    const { body: run } = await stack.api.post('/workflows/wide/runs', { inputs: { items } });
    await page.goto(`${stack.url}/runs/${run.id}`);
    const group = page.locator('[data-group="each"]');
    await group.getByText('each ×3000').waitFor();
    // Counting the times the group's node is hidden while its counts change under it.
    await page.evaluate(() => {
      const seen = ((window as any).__groupHidden = { times: 0 });
      new MutationObserver((records) => {
        for (const { target } of records) {
          const node = target as HTMLElement;
          if (node.matches('.react-flow__node') && node.querySelector('[data-group="each"]') && node.style.visibility === 'hidden')
            seen.times += 1;
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['style'] });
    });
    await group.getByText('2994/3000 done · 6 failed').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as any).__groupHidden.times)).toBe(0);
    await runStatus('failed').waitFor();

    await group.click();
    const panel = page.getByTestId('group-panel');
    await panel.getByText('all 3000').waitFor();
    await panel.locator('[data-status-count="succeeded"]', { hasText: '2994' }).waitFor();
    // The panel opens on the dead instances, read from the API, not held by the page.
    const members = panel.locator('.member-list .member .clamp');
    await members.first().waitFor();
    expect(await members.allTextContents()).toEqual(['each[7]', 'each[507]', 'each[1007]', 'each[1507]', 'each[2007]', 'each[2507]']);
    await panel.locator('.chip', { hasText: 'all 3000' }).click();
    await page.getByTestId('more-instances').click();
    await waitFor(async () => (await members.count()) === 200, { timeoutMs: UI_TIMEOUT, what: 'a second page of instances' });

    await members.first().click();
    await page.waitForURL(`${stack.url}/runs/${run.id}/tasks/each%5B0%5D`);
    await page.getByTestId('task-panel').locator('.status-badge[data-status="succeeded"]').first().waitFor();

    // 9,000 events: the page got the latest ones, and reads earlier ones when asked.
    const rows = page.getByTestId('timeline').locator('.timeline-label-col').first();
    const shown = async () => Number((await rows.textContent())!.split(' ')[0]);
    const before = await shown();
    expect(before).toBeLessThan(3_000);
    await page.getByTestId('load-earlier').click();
    await waitFor(async () => (await shown()) > before, { timeoutMs: UI_TIMEOUT, what: 'earlier events in the timeline' });
  }, 120_000);

  it('cancels a running run after asking for confirmation', async () => {
    const runId = await startRun('slow');
    await page.goto(`${stack.url}/runs/${runId}`);
    await node('long-sleep', 'running').waitFor();
    await page.getByTestId('cancel-run').click();
    await page.getByRole('dialog').getByText('Cancel this run?').waitFor();
    await page.getByTestId('confirm').click();
    await runStatus('cancelled').waitFor();
    await node('long-sleep', 'cancelled').waitFor();
    expect(await page.getByTestId('cancel-run').count()).toBe(0);
    expect((await stack.api.get(`/runs/${runId}`)).body.status).toBe('cancelled');
  });
});
