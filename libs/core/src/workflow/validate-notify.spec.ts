import { aWorkflow, issueLines } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';

const issues = (document: unknown) => issueLines(() => validateWorkflow(document));
const withNotify = (notify: unknown) => aWorkflow({ spec: { notify } });

describe('validateWorkflow: spec.notify', () => {
  it('reads webhooks with their events, secret and format (json by default)', () => {
    const spec = validateWorkflow(
      withNotify([
        { on: ['failed', 'timed_out', 'failed'], webhook: { url: 'https://hooks.example.com/a', secret: 'HOOK_KEY' } },
        { on: ['dead_letter'], webhook: { url: 'https://hooks.slack.com/services/x', format: 'slack' } },
      ]),
    ).spec;
    expect(spec.notify).toEqual([
      { on: ['failed', 'timed_out'], webhook: { url: 'https://hooks.example.com/a', secret: 'HOOK_KEY', format: 'json' } },
      { on: ['dead_letter'], webhook: { url: 'https://hooks.slack.com/services/x', format: 'slack' } },
    ]);
  });

  it('leaves notify out when the workflow has none', () => {
    expect(validateWorkflow(aWorkflow()).spec).not.toHaveProperty('notify');
  });

  it('names the place of each mistake', () => {
    expect(
      issues(
        withNotify([
          { on: ['faild'], webhook: { url: 'ftp://example.com/x', format: 'teams' } },
          { on: [], webhook: { url: 'not a url', secret: '1bad' } },
          { webhook: { url: 'https://user:pw@example.com/' }, when: 'always' },
        ]),
      ),
    ).toEqual([
      'spec.notify[0].on[0]: must be one of succeeded, failed, cancelled, timed_out, dead_letter, not "faild" (did you mean "failed"?)',
      'spec.notify[0].webhook.url: must be an http or https URL, not ftp',
      'spec.notify[0].webhook.format: must be one of json, slack, not "teams"',
      'spec.notify[1].on: must name at least one of succeeded, failed, cancelled, timed_out, dead_letter',
      'spec.notify[1].webhook.url: "not a url" is not an absolute URL',
      'spec.notify[1].webhook.secret: "1bad" is not a secret name (letters, digits and _, not starting with a digit)',
      'spec.notify[2].when: unknown field "when" (allowed: on, webhook)',
      'spec.notify[2].on: is required',
      'spec.notify[2].webhook.url: must not carry a user name or password (sign deliveries with `secret` instead)',
    ]);
  });

  it('refuses a notify that is not a list, and too many entries', () => {
    expect(issues(withNotify({ on: ['failed'] }))).toEqual(['spec.notify: must be a list, not a mapping']);
    const entry = { on: ['failed'], webhook: { url: 'https://example.com/' } };
    expect(issues(withNotify(Array.from({ length: 11 }, () => entry)))).toEqual(['spec.notify: has 11 entries; at most 10 are allowed']);
  });
});
