import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from '../support/dashboard-browser';
import { FlowctlStack } from '../support/flowctl-stack';
import { aWorkflow } from '../support/workflow-factory';

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'admin-token-for-the-dashboard-sign-in-0123';
const UI_TIMEOUT = 15_000;

describe('the dashboard against a scheduler with auth, in Chromium', () => {
  let stack: FlowctlStack;
  let browser: Browser;
  let page: Page;
  let viewerToken: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({
      label: 'dashboard_sign_in',
      schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST, FLOWCTL_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const workflow = aWorkflow({
      name: 'watched',
      tasks: [
        { name: 'wait', type: 'sleep', with: { duration: '1500ms' } },
        { name: 'done', dependsOn: ['wait'] },
      ],
    });
    expect((await stack.api.applyYaml(workflow)).status).toBe(200);
    viewerToken = (await stack.api.post('/tokens', { role: 'viewer', name: 'dashboard-viewer' })).body.token;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('asks for a token, refuses a wrong one, then shows runs updating live over the token-carrying stream', async () => {
    const runId: string = (await stack.api.post('/workflows/watched/runs', {})).body.id;
    await page.goto(`${stack.url}/runs/${runId}`);
    await page.getByTestId('sign-in-token').fill('fct_not_a_real_token');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('sign-in-error').waitFor();

    await page.getByTestId('sign-in-token').fill(viewerToken);
    await page.getByTestId('sign-in').click();
    // The run page's live view: its SSE stream, opened with ?access_token=, is up (a refused stream shows Offline).
    await page.locator('[data-testid="live"].live').waitFor();
    await page.locator('[data-task="done"][data-status="succeeded"]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('flowctl.token'))).toBe(viewerToken);

    // The token survives a reload of the tab.
    await page.reload();
    await page.locator('[data-task="done"]').waitFor();
    expect(await page.getByTestId('sign-in-token').count()).toBe(0);

    // The runs list follows every run over /stream: a run started now appears without a reload.
    await page.goto(`${stack.url}/runs`);
    await page.locator('[data-testid="live"].live').waitFor();
    const later: string = (await stack.api.post('/workflows/watched/runs', {})).body.id;
    await page.locator(`[data-run="${later}"]`).waitFor();
  });

  it('signs out: the token leaves the tab and the form comes back', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('flowctl.token'))).toBeNull();
  });
});
