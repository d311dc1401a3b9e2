import { admissionFailure, AdmissionFailed, decideAdmission, MAX_FOREACH_ITEMS } from './admission';
import { aScope, aTaskDefinition } from './testing/decision-factory';

const scope = aScope({
  inputs: { region: 'eu', files: ['a.csv', 'b.csv'] },
  tasks: { extract: { output: { rows: 10, ok: true }, status: 'succeeded' }, probe: { status: 'skipped' } },
});

describe('decideAdmission', () => {
  it('queues a worker task with its with rendered', () => {
    expect(
      decideAdmission(aTaskDefinition({ with: { region: '{{ inputs.region }}', rows: '{{ tasks.extract.output.rows }}' } }), scope),
    ).toEqual({
      kind: 'queue',
      input: { region: 'eu', rows: 10 },
      secretSlots: [],
    });
  });

  it('queues a shell task with its templates moved out of the command line', () => {
    const admission = decideAdmission(aTaskDefinition({ type: 'shell', with: { command: 'echo {{ inputs.region }}' } }), scope);
    expect(admission.kind).toBe('queue');
    expect(JSON.stringify(admission)).not.toContain('echo eu');
  });

  it('keeps secrets as placeholders with their slots', () => {
    const admission = decideAdmission(aTaskDefinition({ with: { token: '{{ secrets.API_TOKEN }}' } }), scope);
    expect(admission).toMatchObject({ kind: 'queue', secretSlots: [{ path: ['token'], parts: [{ secret: 'API_TOKEN' }] }] });
  });

  it('skips a task whose when is false, and admits one whose when is true', () => {
    expect(decideAdmission(aTaskDefinition({ when: '{{ tasks.extract.output.rows > 100 }}' }), scope)).toEqual({
      kind: 'skip',
      reason: 'when',
    });
    expect(decideAdmission(aTaskDefinition({ when: '{{ tasks.extract.output.ok }}' }), scope).kind).toBe('queue');
  });

  it('decides when before anything else: a false when skips a forEach without evaluating its list', () => {
    const task = aTaskDefinition({ when: '{{ false }}', forEach: '{{ inputs.missing.list }}' });
    expect(decideAdmission(task, scope)).toEqual({ kind: 'skip', reason: 'when' });
  });

  it('reads a skipped upstream task in when as having no output', () => {
    expect(decideAdmission(aTaskDefinition({ when: "{{ tasks.probe.status == 'skipped' }}" }), scope).kind).toBe('queue');
  });

  it('skips a task whose when reads what is not there (missing reads as nothing)', () => {
    expect(decideAdmission(aTaskDefinition({ when: '{{ inputs.nothing.deeper }}' }), scope)).toEqual({ kind: 'skip', reason: 'when' });
  });

  it('fails a task whose when cannot be evaluated, without retries', () => {
    expect(decideAdmission(aTaskDefinition({ when: '{{ inputs.region == ) }}' }), scope)).toMatchObject({
      kind: 'fail',
      failure: { type: 'TemplateError', nonRetryable: true },
    });
  });

  it('expands a forEach task into its list, whatever its type', () => {
    expect(decideAdmission(aTaskDefinition({ forEach: '{{ inputs.files }}' }), scope)).toEqual({
      kind: 'expand',
      items: ['a.csv', 'b.csv'],
    });
    expect(decideAdmission(aTaskDefinition({ type: 'shell', forEach: '{{ inputs.files }}' }), scope).kind).toBe('expand');
  });

  it('expands an empty list into no instances', () => {
    expect(decideAdmission(aTaskDefinition({ forEach: '{{ inputs.none }}' }), aScope({ inputs: { none: [] } }))).toEqual({
      kind: 'expand',
      items: [],
    });
  });

  it('fails a forEach that gives no list, or more items than the limit', () => {
    expect(decideAdmission(aTaskDefinition({ forEach: '{{ inputs.region }}' }), scope)).toEqual({
      kind: 'fail',
      failure: { type: 'TemplateError', message: 'forEach of load gave string, not a list', nonRetryable: true },
    });
    const huge = aScope({ inputs: { many: new Array(MAX_FOREACH_ITEMS + 1).fill(0) } });
    expect(decideAdmission(aTaskDefinition({ forEach: '{{ inputs.many }}' }), huge)).toMatchObject({
      kind: 'fail',
      failure: { message: `forEach of load gave ${MAX_FOREACH_ITEMS + 1} items; the limit is ${MAX_FOREACH_ITEMS}` },
    });
  });

  it('starts a child run for a workflow task, with its rendered inputs', () => {
    const task = aTaskDefinition({ type: 'workflow', with: { name: 'child', inputs: { region: '{{ inputs.region }}' } } });
    expect(decideAdmission(task, scope)).toEqual({
      kind: 'start-child',
      workflow: 'child',
      inputs: { region: 'eu' },
      input: { name: 'child', inputs: { region: 'eu' } },
    });
  });

  it('fails a workflow task that names no workflow', () => {
    expect(decideAdmission(aTaskDefinition({ type: 'workflow', with: {} }), scope)).toEqual({
      kind: 'fail',
      failure: { type: 'ChildRunFailed', message: 'a workflow task needs with.name, the workflow to run', nonRetryable: true },
    });
  });

  it('parks an approval step to wait for a decision', () => {
    expect(decideAdmission(aTaskDefinition({ type: 'approval', with: { note: 'ship {{ inputs.region }}?' } }), scope)).toEqual({
      kind: 'await-approval',
      input: { note: 'ship eu?' },
      secretSlots: [],
    });
  });
});

describe('admissionFailure', () => {
  it('turns template and child-run errors into non-retryable task failures', () => {
    expect(admissionFailure(new AdmissionFailed('ChildRunFailed', 'cannot start workflow "x"'))).toEqual({
      type: 'ChildRunFailed',
      message: 'cannot start workflow "x"',
      nonRetryable: true,
    });
    expect(admissionFailure(Object.assign(new Error('no such workflow'), { code: 'NotFound' }))).toMatchObject({ type: 'TemplateError' });
  });

  it('leaves other errors to fail the transaction', () => {
    expect(admissionFailure(new TypeError('bug'))).toBeUndefined();
    expect(admissionFailure('not an error')).toBeUndefined();
  });
});
