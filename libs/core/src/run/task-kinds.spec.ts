import { hasQueueJob, kindOfTask, kindOfTaskRun, runsWithoutWorker } from './task-kinds';

describe('task kinds', () => {
  it('sends built-in and custom types to workers', () => {
    for (const type of ['shell', 'http', 'noop', 'resize-image']) expect(kindOfTask({ type })).toBe('worker');
  });

  it('runs approvals and child runs in the scheduler, without a worker', () => {
    expect(kindOfTask({ type: 'approval' })).toBe('approval');
    expect(kindOfTask({ type: 'workflow' })).toBe('child-run');
    expect(runsWithoutWorker('approval')).toBe(true);
    expect(runsWithoutWorker('workflow')).toBe(true);
    expect(runsWithoutWorker('shell')).toBe(false);
  });

  it('expands a task with forEach whatever its type', () => {
    expect(kindOfTask({ type: 'shell', forEach: 'inputs.files' })).toBe('for-each');
    expect(kindOfTaskRun({ type: 'shell', instancesTotal: 3 })).toBe('for-each');
    expect(kindOfTaskRun({ type: 'shell', instancesTotal: null })).toBe('worker');
  });

  it('expects a queue job only for tasks a worker runs', () => {
    expect(hasQueueJob({ type: 'http', instancesTotal: null })).toBe(true);
    expect(hasQueueJob({ type: 'http', instancesTotal: 0 })).toBe(false);
    expect(hasQueueJob({ type: 'approval', instancesTotal: null })).toBe(false);
    expect(hasQueueJob({ type: 'workflow', instancesTotal: null })).toBe(false);
  });
});
