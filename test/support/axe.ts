import type { Page } from 'playwright-core';

/** The WCAG 2.0 and 2.1 success criteria, levels A and AA. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core in the page against the WCAG 2 A/AA rules and returns one line per
 * offending element (`rule-id: selector (why)`), so a failing test names what to fix.
 * The page's Content-Security-Policy forbids inline scripts: the browser context that
 * calls this must be created with `bypassCSP: true`.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(
    async (tags) =>
      (
        await (
          window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }
        ).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      ).violations,
    WCAG_AA_TAGS,
  );
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id}: ${node.target.map(String).join(' ')} (${(node.failureSummary ?? violation.help).replace(/\s+/g, ' ').trim()})`,
    ),
  );
}
