/*
 * `npm run screenshots`: starts a real scheduler and worker (the integration harness), applies the
 * examples and a 200-task workflow, runs them, and photographs the dashboard in light and dark into
 * docs/screenshots/. Needs the same PostgreSQL and Redis as `npm test`, and Debian's chromium.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from '../support/dashboard-browser';
import { FlowctlStack } from '../support/flowctl-stack';
import { waitFor } from '../support/wait-for';
import { aWorkflow, type TaskSketch } from '../support/workflow-factory';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 900 };

/** discover -> 164 extracts -> validate -> 4 branches of 3 steps -> 20 loads -> publish -> report: 200 tasks. */
export function twoHundredTasks(): string {
  const tasks: TaskSketch[] = [{ name: 'discover', with: { partitions: 164 } }];
  const extracts = Array.from({ length: 164 }, (_, i) => `extract-${String(i).padStart(3, '0')}`);
  extracts.forEach((name, i) =>
    tasks.push({ name, type: 'sleep', dependsOn: ['discover'], with: { duration: `${300 + ((i * 137) % 900)}ms` } }),
  );
  tasks.push({ name: 'validate', dependsOn: extracts });
  const branches = ['orders', 'customers', 'inventory', 'payments'];
  const ends: string[] = [];
  for (const branch of branches) {
    const steps = ['clean', 'enrich', 'aggregate'].map((step) => `${step}-${branch}`);
    steps.forEach((name, i) =>
      tasks.push({
        name,
        type: i === 1 ? 'sleep' : 'noop',
        dependsOn: [i === 0 ? 'validate' : steps[i - 1]!],
        with: i === 1 ? { duration: '1500ms' } : {},
      }),
    );
    ends.push(steps[steps.length - 1]!);
  }
  const loads = Array.from({ length: 20 }, (_, i) => `load-shard-${String(i).padStart(2, '0')}`);
  loads.forEach((name) => tasks.push({ name, type: 'sleep', dependsOn: ends, with: { duration: '800ms' } }));
  tasks.push({ name: 'publish', dependsOn: loads });
  tasks.push({ name: 'report', dependsOn: ['publish'] });
  return aWorkflow({
    name: 'nightly-etl',
    tasks,
    metadata: { labels: { team: 'data' } },
    spec: { inputs: { date: { type: 'string', default: '2026-01-31' } } },
  });
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.waitForTimeout(400); // let transitions (node colours, bars) settle
  await page.screenshot({ path: join(OUT, file) });
  console.log(`wrote docs/screenshots/${file}`);
}

async function openPage(browser: Browser, theme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: theme, deviceScaleFactor: 1 });
  return context.newPage();
}

async function main(): Promise<void> {
  ensureDashboardBuilt();
  mkdirSync(OUT, { recursive: true });
  const stack = await FlowctlStack.start({
    label: 'screenshots',
    schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST },
    workerEnv: { WORKER_CONCURRENCY: '12' },
  });
  let browser: Browser | undefined;
  try {
    for (const file of readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.yaml'))) {
      await stack.api.applyYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
    }
    // A second version of diamond, for the diff.
    const diamond = readFileSync(join(ROOT, 'examples', 'diamond.yaml'), 'utf8');
    await stack.api.applyYaml(diamond.replace('rows: 120', 'rows: 240').replace('maxAttempts: 3', 'maxAttempts: 5'));
    await stack.api.applyYaml(twoHundredTasks());

    const finished = [];
    for (const name of ['hello-world', 'diamond', 'always-fails', 'hello-world', 'diamond']) {
      const { body } = await stack.api.post(`/workflows/${name}/runs`, {});
      finished.push(await stack.waitForRun(body.id, 30_000));
    }
    const failed = finished.find((run) => run.status === 'failed')!;
    const diamondRun = finished.find((run) => run.workflow === 'diamond')!;

    browser = await launchChromium();
    const light = await openPage(browser, 'light');
    const dark = await openPage(browser, 'dark');

    const big = (await stack.api.post('/workflows/nightly-etl/runs', {})).body;
    await dark.goto(`${stack.url}/runs/${big.id}`);
    await waitFor(async () => (await stack.api.get(`/runs/${big.id}`)).body.tasksOpen <= 120, {
      timeoutMs: 60_000,
      what: 'the 200-task run to be under way',
    });
    await dark.locator('[data-group="extract-* ×164"][data-status=running]').waitFor();
    await shoot(dark, 'run-200-tasks-dark.png');

    await light.goto(`${stack.url}/runs`);
    await light.locator('[data-testid=runs-table] tbody tr').first().waitFor();
    await shoot(light, 'runs-light.png');

    await light.goto(`${stack.url}/runs/${diamondRun.id}/tasks/enrich`);
    await light.locator('[data-testid=task-panel]').waitFor();
    await light.locator('[data-testid=timeline]').waitFor();
    await shoot(light, 'run-light.png');

    await dark.goto(`${stack.url}/runs/${failed.id}/tasks/flaky`);
    await dark.locator('[data-testid=task-error]').waitFor();
    await shoot(dark, 'failed-task-dark.png');

    await stack.waitForRun(big.id, 90_000);
    // The group of 164 like siblings, opened beside the graph (a deep link, as a user would share it).
    await light.goto(`${stack.url}/runs/${big.id}?group=g:extract-000`);
    await light.locator('[data-testid=group-panel]').waitFor();
    await light.locator('[data-group="extract-* ×164"][data-status=succeeded]').waitFor();
    await shoot(light, 'run-200-tasks-light.png');

    await dark.goto(`${stack.url}/workflows/diamond/versions`);
    await dark.locator('[data-testid=diff]').waitFor();
    await shoot(dark, 'workflow-diff-dark.png');

    await light.goto(`${stack.url}/dead-letters`);
    await light.locator('[data-testid=dead-letters-table]').waitFor();
    await shoot(light, 'dead-letters-light.png');

    await dark.goto(`${stack.url}/workers`);
    await dark.locator('[data-testid=workers-table]').waitFor();
    await shoot(dark, 'workers-dark.png');
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
