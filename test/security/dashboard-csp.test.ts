import type { Browser } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, WEB_DIST } from '../support/dashboard-browser';
import { FlowctlStack } from '../support/flowctl-stack';
import { aWorkflow } from '../support/workflow-factory';

jest.setTimeout(90_000);

describe('security: the dashboard works under its Content-Security-Policy', () => {
  let stack: FlowctlStack;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await FlowctlStack.start({ label: 'security_csp', schedulerEnv: { FLOWCTL_WEB_ROOT: WEB_DIST } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renders a run graph and the API docs with no CSP violation', async () => {
    await stack.api.applyYaml(aWorkflow({ name: 'shown', tasks: [{ name: 'first' }, { name: 'second', dependsOn: ['first'] }] }));
    const run = await stack.waitForRun((await stack.api.post('/workflows/shown/runs')).body.id);

    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${stack.url}/runs/${run.id}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self' 'sha256-");
    await page.locator('[data-task="second"][data-status="succeeded"]').waitFor({ timeout: 15_000 });
    // The inline theme script ran: it is allowed by its hash, not by 'unsafe-inline'.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toMatch(/^(light|dark)$/);

    await page.goto(`${stack.url}/api/docs`);
    await page.locator('.swagger-ui .info').waitFor({ timeout: 15_000 });
    expect(violations).toEqual([]);
  });
});
