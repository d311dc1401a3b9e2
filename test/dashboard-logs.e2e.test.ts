import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from './support/dashboard-browser';
import { FlowctlStack } from './support/flowctl-stack';
import { waitFor } from './support/wait-for';
import { aWorkflow } from './support/workflow-factory';

const UI_TIMEOUT = 15_000;
jest.setTimeout(180_000);

describe("the dashboard's Logs tab, in Chromium against a real scheduler and a worker running shell tasks", () => {
  let stack: FlowctlStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The shell task waits for this file before it ends: the test decides when the attempt is over. */
  const release = join(tmpdir(), `flowctl-logs-e2e-${randomBytes(4).toString('hex')}`);
  const dialogs: string[] = [];

  const logRow = (text: string) => page.getByTestId('log-lines').locator('.log-row', { hasText: text });

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({
      label: 'dashboard_logs',
      schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST },
      workerEnv: { FLOWCTL_SHELL_ENABLED: 'true' },
    });
    const workflows = [
      aWorkflow({
        name: 'talker',
        spec: { inputs: { release: { type: 'string' } } },
        tasks: [
          {
            name: 'talk',
            type: 'shell',
            with: {
              command: [
                'echo "starting up"',
                'printf "\\033[32mgreen light\\033[0m\\n"',
                `echo '<img src=x onerror=alert(1)>'`,
                'echo "a warning on stderr" >&2',
                'while [ ! -f "$RELEASE" ]; do sleep 0.1; done',
                'echo "all done"',
              ].join('\n'),
              env: { RELEASE: '{{ inputs.release }}' },
            },
          },
        ],
      }),
      aWorkflow({
        name: 'chatty',
        tasks: [{ name: 'print', type: 'shell', with: { command: 'seq 1 100000 | sed "s/^/row /"' } }],
      }),
    ];
    for (const workflow of workflows) expect((await stack.api.applyYaml(workflow)).status).toBe(200);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    if (existsSync(release)) rmSync(release);
    await browser?.close();
    await stack?.stop();
  });

  it("shows a running shell task's lines live, before the task ends, then its end", async () => {
    const { body: run } = await stack.api.post('/workflows/talker/runs', { inputs: { release } });
    await page.goto(`${stack.url}/runs/${run.id}/tasks/talk?tab=logs`);

    await logRow('starting up').waitFor();
    await logRow('green light').locator('.ansi-fg-green').waitFor();
    await page.locator('.log-row.stream-stderr', { hasText: 'a warning on stderr' }).waitFor();
    // The lines came while the attempt still runs: it waits for the release file.
    expect((await stack.api.get(`/runs/${run.id}/tasks/talk`)).body.status).toBe('running');
    expect(await page.getByTestId('log-status').textContent()).toContain('live');

    // Markup in a line is text: no element, no script.
    const hostile = logRow('<img src=x onerror=alert(1)>');
    await hostile.waitFor();
    expect(await hostile.locator('img').count()).toBe(0);

    // Search highlights, then filters.
    await page.getByTestId('log-search').fill('WARNING');
    await logRow('a warning on stderr').locator('mark', { hasText: 'warning' }).waitFor();
    await page.getByTestId('log-only-matches').check();
    await waitFor(async () => (await page.locator('.log-row').count()) === 1, { what: 'only the matching line', timeoutMs: UI_TIMEOUT });
    await page.getByTestId('log-only-matches').uncheck();
    await page.getByTestId('log-search').fill('');

    writeFileSync(release, '');
    await logRow('all done').waitFor();
    await page.getByTestId('log-status').getByText('attempt over').waitFor();
    await page.locator('[data-task="talk"][data-status="succeeded"]').waitFor();
    expect(dialogs).toEqual([]);

    // The download is the attempt's whole log as a .log file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
    expect(download.suggestedFilename()).toMatch(/-talk-attempt-1\.log$/);
    const file = join(tmpdir(), `flowctl-logs-e2e-${randomBytes(4).toString('hex')}.log`);
    await download.saveAs(file);
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    rmSync(file);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/).slice(3).join(' ')),
    ).toEqual(['starting up', '\u001b[32mgreen light\u001b[0m', '<img src=x onerror=alert(1)>', 'a warning on stderr', 'all done']);
  });

  it('shows 100,000 lines of a finished task with only a window of rows in the DOM', async () => {
    const run = await stack.waitForRun((await stack.api.post('/workflows/chatty/runs')).body.id, 60_000);
    expect(run.status).toBe('succeeded');
    await page.goto(`${stack.url}/runs/${run.id}/tasks/print?tab=logs`);
    await page
      .getByTestId('log-count')
      .getByText('100,000 lines')
      .waitFor({ timeout: 60_000 })
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nstatus: ${await page.getByTestId('log-status').textContent()}\npage: ${(await page.locator('main').textContent())?.slice(0, 1500)}`,
        );
      });

    // Follow mode opened it at the end.
    await logRow('row 100000').waitFor();
    const rows = page.getByTestId('log-lines').locator('.log-row');
    expect(await rows.count()).toBeLessThan(100);

    // Scrolling to the top swaps the window: still a bounded number of rows.
    await page.getByTestId('log-lines').evaluate((element) => (element.scrollTop = 0));
    await logRow('row 1').first().waitFor();
    expect(await rows.count()).toBeLessThan(100);
    expect(await page.getByTestId('log-follow').getAttribute('aria-pressed')).toBe('false');

    // A search across all of them counts every match.
    await page.getByTestId('log-search').fill('row 9999');
    await page.getByTestId('log-count').getByText('11 matching').waitFor();
  }, 150_000);
});
