import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './support/axe';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from './support/dashboard-browser';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const UI_TIMEOUT = 15_000;
jest.setTimeout(120_000);

interface Shown {
  name: string;
  path: () => string;
  /** What is on screen once the page has loaded what it shows. */
  ready: (page: Page) => Promise<unknown>;
  /** Prepares the page before it is opened (the sign-in gate needs the API to refuse). */
  before?: (page: Page) => Promise<unknown>;
}

/**
 * Every page of the dashboard, in both themes, against axe-core's WCAG 2.0/2.1
 * A and AA rules. A failure lists each rule id with the offending element's selector.
 */
describe('the dashboard meets WCAG 2 A/AA (axe-core), in Chromium, light and dark', () => {
  let stack: FlowctlStack;
  let browser: Browser;
  let failedRun: string;
  let runningRun: string;
  let letterId: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({
      label: 'dashboard_a11y',
      schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST },
      workerEnv: { FLOWCTL_SHELL_ENABLED: 'true' },
    });
    const workflows = [
      aWorkflow({
        name: 'breaks',
        spec: {
          inputs: { who: { type: 'string', default: 'world' } },
          // One delivery refused by the destination policy (failed) and one retried (its host does not resolve).
          notify: [
            { on: ['failed'], webhook: { url: 'http://127.0.0.1:9/hook' } },
            { on: ['dead_letter'], webhook: { url: 'https://hooks.example.invalid/x', format: 'slack' } },
          ],
        },
        tasks: [
          { name: 'prepare', with: { message: 'hello {{ inputs.who }}' } },
          { name: 'flaky', type: 'fail', dependsOn: ['prepare'], retry: { maxAttempts: 1 }, with: { message: 'disk full on /data' } },
          { name: 'after', dependsOn: ['flaky'] },
        ],
      }),
      aWorkflow({
        name: 'slow',
        tasks: [
          {
            name: 'talk',
            type: 'shell',
            with: { command: 'printf "\\033[31mred\\033[0m plain\\n"; echo "<b>not bold</b>" >&2; sleep 300' },
          },
        ],
      }),
    ];
    workflows.push(
      aWorkflow({
        name: 'on-order',
        spec: { inputs: { count: { type: 'integer' } }, on: [{ event: 'order.created', inputs: { count: '{{ event.data.count }}' } }] },
        tasks: [{ name: 'pack' }],
      }),
    );
    for (const workflow of workflows) expect((await stack.api.applyYaml(workflow)).status).toBe(200);
    // The Events page with each outcome: a run started, a run refused (the reason shown), nothing listening.
    await stack.api.post('/events', { name: 'order.created', id: 'order-ok', data: { count: 1 } });
    await stack.api.post('/events', { name: 'order.created', id: 'order-bad', data: { count: 'one' } });
    await stack.api.post('/events', { name: 'nobody.listens', data: {} });
    failedRun = (await stack.waitForRun((await stack.api.post('/workflows/breaks/runs', {})).body.id)).id;
    runningRun = (await stack.api.post('/workflows/slow/runs', {})).body.id;
    await waitFor(async () => (await stack.api.get(`/runs/${runningRun}/tasks/talk`)).body.status === 'running', {
      what: 'the shell task running',
      timeoutMs: UI_TIMEOUT,
    });
    letterId = await waitFor(
      async () => ((await stack.api.get('/dead-letters?workflow=breaks')).body.items as Array<{ id: string }>)[0]?.id,
      { what: 'the dead letter', timeoutMs: UI_TIMEOUT },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const pages: Shown[] = [
    { name: 'workflows list', path: () => '/workflows', ready: (page) => page.getByRole('link', { name: 'breaks' }).first().waitFor() },
    { name: 'a workflow', path: () => '/workflows/breaks', ready: (page) => page.getByTestId('start-run').waitFor() },
    {
      name: 'a workflow definition',
      path: () => '/workflows/breaks/definition',
      ready: (page) => page.getByText('disk full on /data').first().waitFor(),
    },
    { name: 'a workflow versions', path: () => '/workflows/breaks/versions', ready: (page) => page.locator('table').first().waitFor() },
    {
      name: 'runs list',
      path: () => '/runs',
      ready: (page) => page.locator(`[data-testid=runs-table] tr[data-run="${failedRun}"]`).waitFor(),
    },
    {
      name: 'a failed run with a dead task open',
      path: () => `/runs/${failedRun}/tasks/flaky`,
      ready: async (page) => {
        await page.locator('[data-task="flaky"][data-status="dead"]').waitFor();
        await page.getByTestId('task-error').waitFor();
        await page.getByTestId('timeline').waitFor();
        const notifications = page.getByTestId('notifications');
        await notifications.locator('tr[data-status="failed"]').waitFor();
        await notifications.locator('tr[data-status="pending"]').waitFor();
        // The attempts of each delivery are checked too, not only the summary line.
        for (const summary of await notifications.locator('summary').all()) await summary.click();
        await notifications.getByText('loopback address').first().waitFor();
      },
    },
    {
      name: 'a running run with its task open',
      path: () => `/runs/${runningRun}/tasks/talk`,
      ready: async (page) => {
        await page.locator('[data-task="talk"][data-status="running"]').waitFor();
        await page.getByTestId('task-panel').waitFor();
      },
    },
    {
      name: "a running task's Logs tab",
      path: () => `/runs/${runningRun}/tasks/talk?tab=logs`,
      ready: async (page) => {
        // Both streams and an ANSI colour: the stderr line and the red word are checked for contrast too.
        await page.locator('.log-row.stream-stderr', { hasText: '<b>not bold</b>' }).waitFor();
        await page.locator('.log-row .ansi-fg-red', { hasText: 'red' }).waitFor();
        await page.getByTestId('log-search').fill('plain');
        await page.locator('.log-row mark', { hasText: 'plain' }).waitFor();
      },
    },
    {
      name: 'events',
      path: () => '/events',
      ready: async (page) => {
        await page.locator('tr[data-event="order-ok"]').getByRole('link').first().waitFor();
        await page.locator('tr[data-event="order-bad"]').getByText('rejected').waitFor();
      },
    },
    { name: 'workers', path: () => '/workers', ready: (page) => page.getByTestId('queues-table').waitFor() },
    {
      name: 'dead letters with one open',
      path: () => `/dead-letters/${letterId}`,
      ready: async (page) => {
        await page.locator(`tr[data-letter="${letterId}"]`).waitFor();
        await page.getByTestId('letter-panel').getByText('disk full on /data').first().waitFor();
      },
    },
    {
      name: 'sign-in gate',
      path: () => '/runs',
      before: (page) =>
        page.route('**/api/v1/**', (route) =>
          route.fulfill({
            status: 401,
            contentType: 'application/json',
            body: JSON.stringify({ statusCode: 401, message: 'Unauthorized' }),
          }),
        ),
      ready: (page) => page.getByRole('button', { name: /sign in/i }).waitFor(),
    },
  ];

  describe.each(['light', 'dark'] as const)('%s theme', (theme) => {
    let context: BrowserContext;

    beforeAll(async () => {
      // The page's CSP forbids the injected axe script; the check needs it, the product does not.
      context = await browser.newContext({
        viewport: { width: 1360, height: 860 },
        colorScheme: theme,
        reducedMotion: 'reduce',
        bypassCSP: true,
      });
      context.setDefaultTimeout(UI_TIMEOUT);
    });
    afterAll(() => context?.close());

    it.each(pages.map((shown) => [shown.name, shown] as const))('%s', async (_name, shown) => {
      const page = await context.newPage();
      try {
        await shown.before?.(page);
        await page.goto(`${stack.url}${shown.path()}`);
        await shown.ready(page);
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        if (process.env.FLOWCTL_A11Y_SCREENSHOTS)
          await page.screenshot({
            path: `${process.env.FLOWCTL_A11Y_SCREENSHOTS}/${theme}-${shown.name.replace(/\W+/g, '-')}.png`,
            fullPage: true,
          });
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});
