import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from './support/dashboard-browser';
import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

const UI_TIMEOUT = 15_000;
jest.setTimeout(120_000);

describe('the Events page, in Chromium against a real scheduler and worker', () => {
  let stack: FlowctlStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({ label: 'dashboard_events', schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST } });
    const applied = await stack.api.applyYaml(
      aWorkflow({
        name: 'fulfil',
        spec: {
          inputs: { count: { type: 'integer' } },
          on: [{ event: 'order.created', inputs: { count: '{{ event.data.count }}' } }],
        },
        tasks: [{ name: 'pack' }],
      }),
    );
    expect(applied.status).toBe(200);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists received events with the runs each started as links, and the rejected ones with why', async () => {
    const matched = await stack.api.post('/events', { name: 'order.created', id: 'order-ok', data: { count: 3 } });
    const runId = matched.body.runs[0].runId as string;
    // An input the run refuses (a string for an integer): the event is stored as rejected, with the reason.
    expect((await stack.api.post('/events', { name: 'order.created', id: 'order-bad', data: { count: 'three' } })).body.outcome).toBe(
      'rejected',
    );

    await page.goto(`${stack.url}/events`);
    const ok = page.locator('[data-testid=events-table] tr[data-event="order-ok"]');
    await ok.getByText('matched').waitFor();
    const bad = page.locator('[data-testid=events-table] tr[data-event="order-bad"]');
    await bad.getByText('rejected').waitFor();
    await bad.getByText(/input "count" must be a integer/).waitFor();

    await page.getByTestId('outcome-filter').selectOption('rejected');
    await page.waitForURL(/outcome=rejected/);
    await bad.waitFor();
    expect(await ok.count()).toBe(0);
    await page.getByTestId('outcome-filter').selectOption('');

    await ok.getByRole('link').first().click();
    await page.waitForURL(new RegExp(`/runs/${runId}$`));
    const trigger = page.getByTestId('run-trigger');
    await trigger.getByText('order.created').waitFor();
    await trigger.getByText(/api, order-ok/).waitFor();
  });
});
