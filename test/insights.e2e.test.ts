import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from './support/dashboard-browser';
import { FlowctlStack } from './support/flowctl-stack';
import { aWorkflow } from './support/workflow-factory';

jest.setTimeout(120_000);

const UI_TIMEOUT = 15_000;
const AXE_SOURCE = require.resolve('axe-core/axe.min.js');
/** Where a failing run leaves the page as it looked, to look at by eye. */
const SCREENSHOT_DIR = process.env.FLOWCTL_SCREENSHOT_DIR;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol: the dashboard's CSP (rightly) refuses an injected <script>.
  await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations.map(
    (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}

describe('the Insights page, in Chromium against real runs', () => {
  let stack: FlowctlStack;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({ label: 'insights_e2e', schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST } });
    const workflows = [
      aWorkflow({ name: 'steady', tasks: [{ name: 'fetch' }, { name: 'store', dependsOn: ['fetch'] }] }),
      aWorkflow({ name: 'breaks', tasks: [{ name: 'flaky', type: 'fail', retry: { maxAttempts: 2 }, with: { message: 'disk full' } }] }),
    ];
    for (const workflow of workflows) expect((await stack.api.applyYaml(workflow)).status).toBe(200);
    const runIds: string[] = [];
    for (const name of ['steady', 'steady', 'steady', 'breaks']) runIds.push((await stack.api.post(`/workflows/${name}/runs`, {})).body.id);
    for (const id of runIds) await stack.waitForRun(id);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows the API's figures with charts and tables, and passes axe (WCAG 2 A/AA), in the ${colorScheme} theme`, async () => {
      const context = await browser.newContext({ viewport: { width: 1360, height: 1100 }, colorScheme });
      context.setDefaultTimeout(UI_TIMEOUT);
      const page = await context.newPage();
      try {
        const { body: expected } = await stack.api.get('/insights?since=1h');
        expect(expected.runs).toMatchObject({ started: 4, succeeded: 3, failed: 1 });

        await page.goto(`${stack.url}/insights?window=1h`);
        await page.getByTestId('tile-started').waitFor();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme);
        expect(await page.getByTestId('tile-started').textContent()).toBe('4');
        expect(await page.getByTestId('tile-succeeded').textContent()).toBe('3');
        expect(await page.getByTestId('tile-failed').textContent()).toBe('1');
        expect(await page.getByTestId('tile-timed-out').textContent()).toBe('0');
        for (const chart of ['chart-runs', 'chart-throughput', 'chart-queue-wait', 'chart-dead-letters'])
          await page.locator(`[data-testid="${chart}"] svg.recharts-surface`).first().waitFor();
        expect(await page.locator('[data-testid="chart-runs"] [role="img"]').getAttribute('aria-label')).toContain(
          '3 succeeded, 1 failed, 0 timed out, 0 cancelled',
        );
        // The retried task: two attempts of `flaky`, one beyond the first.
        const retried = page.getByTestId('most-retried-tasks').locator('tbody tr');
        expect(await retried.count()).toBe(expected.mostRetriedTasks.length);
        expect(await retried.first().locator('td').nth(2).textContent()).toBe(String(expected.mostRetriedTasks[0].retries));
        const slowest = page.getByTestId('slowest-tasks').locator('tbody tr');
        expect(await slowest.count()).toBe(expected.slowestTasks.length);
        expect(await slowest.first().locator('td').first().textContent()).toContain(expected.slowestTasks[0].task);

        // The colours follow the theme: the succeeded bars use the theme's status colour.
        const fill = await page.locator('[data-testid="chart-runs"] .recharts-bar-rectangle path').first().getAttribute('fill');
        const succeeded = await page.evaluate(() =>
          getComputedStyle(document.documentElement).getPropertyValue('--status-succeeded').trim(),
        );
        expect(fill).toBe(succeeded);

        if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/insights-${colorScheme}.png`, fullPage: true });
        expect(await axeViolations(page)).toEqual([]);

        // One workflow: the tiles change to its figures.
        await page.getByTestId('insights-workflow').selectOption('steady');
        await page.waitForURL(/workflow=steady/);
        await page.locator('[data-testid="tile-failed"]', { hasText: '0' }).waitFor();
        expect(await page.getByTestId('tile-started').textContent()).toBe('3');
        expect(await page.getByTestId('workflow-outcomes').locator('tbody tr').count()).toBe(1);
      } finally {
        await context.close();
      }
    });
  }
});
