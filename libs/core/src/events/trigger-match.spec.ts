import { validateWorkflow } from '../workflow/validate-workflow';
import { aWorkflow } from '../workflow/testing/workflow-factory';
import { findWorkflowRunCycle } from './workflow-run-cycle';
import { inputsForEvent, triggerSourceOf } from './trigger-match';

const triggerOf = (trigger: Record<string, unknown>) =>
  validateWorkflow(aWorkflow({ spec: { inputs: { order: { type: 'string' }, total: { type: 'number', default: 0 } }, on: [trigger] } }))
    .spec.on![0]!;
const workflow = { name: 'etl', namespace: 'default' };

describe('inputsForEvent', () => {
  const trigger = triggerOf({
    event: 'order.created',
    filter: '{{ event.data.total > 100 }}',
    inputs: { order: '{{ event.data.id }}', total: '{{ event.data.total }}' },
  });

  it('maps the event to the run inputs, keeping the type of a whole-expression template', () => {
    expect(inputsForEvent(trigger, { name: 'order.created', id: 'e1', data: { id: 'o-1', total: 250 } }, workflow)).toEqual({
      order: 'o-1',
      total: 250,
    });
  });

  it('starts nothing when the filter is false, or reads a field the event lacks', () => {
    expect(inputsForEvent(trigger, { name: 'order.created', id: 'e1', data: { id: 'o-1', total: 5 } }, workflow)).toBeUndefined();
    expect(inputsForEvent(trigger, { name: 'order.created', id: 'e1', data: 'not an object' }, workflow)).toBeUndefined();
  });
});

describe('triggerSourceOf', () => {
  it('names the source each kind listens to', () => {
    expect(triggerSourceOf(triggerOf({ event: 'a.b', inputs: { order: 'x' } }))).toEqual({ kind: 'event', name: 'a.b' });
    expect(triggerSourceOf(triggerOf({ hook: { name: 'gh', secret: 'S', signature: 'github' }, inputs: { order: 'x' } }))).toEqual({
      kind: 'hook',
      name: 'gh',
    });
    expect(triggerSourceOf(triggerOf({ workflowRun: { name: 'load' }, inputs: { order: 'x' } }))).toEqual({
      kind: 'workflowRun',
      name: 'load',
    });
  });
});

describe('findWorkflowRunCycle', () => {
  it('finds a loop of workflowRun triggers in run order, and none in a chain', () => {
    expect(
      findWorkflowRunCycle(
        new Map([
          ['a', ['c']],
          ['b', ['a']],
          ['c', ['b']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(findWorkflowRunCycle(new Map([['a', ['a']]]))).toEqual(['a', 'a']);
    expect(
      findWorkflowRunCycle(
        new Map([
          ['b', ['a']],
          ['c', ['b', 'unknown']],
        ]),
      ),
    ).toBeNull();
  });
});
