import { WorkflowInvalid } from '../errors/flowctl-error';
import { aTask, aWorkflow, issueLines } from './testing/workflow-factory';
import { validateWorkflow } from './validate-workflow';

const issues = (document: unknown) => issueLines(() => validateWorkflow(document));

describe('validateWorkflow: the document', () => {
  it('accepts a minimal workflow and fills in every default', () => {
    expect(validateWorkflow(aWorkflow())).toStrictEqual({
      apiVersion: 'flowctl/v1',
      kind: 'Workflow',
      metadata: { name: 'etl', namespace: 'default', labels: {} },
      spec: {
        inputs: {},
        tasks: [
          {
            name: 'a',
            type: 'noop',
            with: {},
            dependsOn: [],
            trigger: 'all_success',
            priority: 3,
            retry: { maxAttempts: 1, initialInterval: 1_000, backoffCoefficient: 2, maxInterval: 100_000, nonRetryable: [] },
          },
        ],
      },
    });
  });

  it('requires apiVersion flowctl/v1 and kind Workflow', () => {
    expect(issues(aWorkflow({ root: { apiVersion: 'flowctl/v2', kind: 'Job' } }))).toEqual([
      'apiVersion: must be "flowctl/v1", not "flowctl/v2"',
      'kind: must be "Workflow", not "Job"',
    ]);
    expect(issues({ metadata: { name: 'x' }, spec: { tasks: [aTask()] } })).toEqual(['apiVersion: is required', 'kind: is required']);
  });

  it('requires metadata and spec', () => {
    expect(issues({ apiVersion: 'flowctl/v1', kind: 'Workflow' })).toEqual(['metadata: is required', 'spec: is required']);
  });

  it('rejects a root that is not a mapping', () => {
    expect(issues([])).toEqual([': must be a mapping, not a list']);
    expect(issues(null)).toEqual([': must be a mapping, not null']);
  });

  it('rejects unknown fields at every level, naming the field and its path', () => {
    const document = aWorkflow({
      root: { status: {} },
      metadata: { annotations: {} },
      spec: {
        inputs: { date: { type: 'string', requried: true } },
        defaults: { retrys: 3, retry: { maxAttempt: 2 } },
        schedule: { cron: '0 * * * *', timeZone: 'UTC' },
        parallelism: 2,
      },
      tasks: [aTask({ image: 'x' })],
    });
    expect(issues(document)).toEqual([
      'status: unknown field "status" (allowed: apiVersion, kind, metadata, spec)',
      'metadata.annotations: unknown field "annotations" (allowed: name, namespace, labels)',
      'spec.parallelism: unknown field "parallelism" (allowed: inputs, defaults, timeout, concurrency, schedule, on, tasks, notify)',
      'spec.inputs.date.requried: unknown field "requried" (allowed: type, default, description)',
      'spec.defaults.retrys: unknown field "retrys" (did you mean "retry"?)',
      'spec.defaults.retry.maxAttempt: unknown field "maxAttempt" (did you mean "maxAttempts"?)',
      'spec.schedule.timeZone: unknown field "timeZone" (did you mean "timezone"?)',
      'spec.tasks[0].image: unknown field "image" (allowed: name, type, with, dependsOn, when, trigger, forEach, priority, retry, timeout, scheduleToStartTimeout, heartbeatTimeout)',
    ]);
  });

  it('quotes a field name that is not a plain word in its path', () => {
    expect(issues(aWorkflow({ tasks: [aTask({ 'my field': 1 })] }))[0]).toBe(
      'spec.tasks[0]["my field"]: unknown field "my field" (allowed: name, type, with, dependsOn, when, trigger, forEach, priority, retry, timeout, scheduleToStartTimeout, heartbeatTimeout)',
    );
  });

  it('collects every issue instead of stopping at the first', () => {
    const error = (() => {
      try {
        validateWorkflow(aWorkflow({ metadata: { name: 'Bad' }, spec: { timeout: 'soon', concurrency: 0 } }));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WorkflowInvalid);
    expect((error as WorkflowInvalid).issues).toHaveLength(3);
    expect((error as WorkflowInvalid).code).toBe('WorkflowInvalid');
  });

  it('accepts what a JSON body gives and rejects what JSON cannot hold', () => {
    expect(issues(aWorkflow({ tasks: [aTask({ with: { x: Infinity, y: [NaN] } })] }))).toEqual([
      'spec.tasks[0].with.y[0]: must be a finite number, not NaN',
      'spec.tasks[0].with.x: must be a finite number, not Infinity',
    ]);
    expect(issues(aWorkflow({ tasks: [aTask({ with: { when: new Date(0), f: () => 1 } })] }))).toEqual([
      'spec.tasks[0].with.f: unsupported value of type function (not JSON data)',
      'spec.tasks[0].with.when: unsupported value of type Date (not JSON data)',
    ]);
  });

  it('rejects a JSON body nested deeper than 64 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(issues(aWorkflow({ tasks: [aTask({ with: { deep } })] }))).toEqual([
      'spec.tasks[0].with.deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nests deeper than 64 levels',
    ]);
  });

  it('treats undefined members of a built object as absent', () => {
    expect(validateWorkflow(aWorkflow({ tasks: [aTask({ when: undefined, retry: undefined })] })).spec.tasks[0]).not.toHaveProperty('when');
  });

  it('keeps a __proto__ key in with as data and never sets a prototype', () => {
    const valid = JSON.parse(
      '{"apiVersion":"flowctl/v1","kind":"Workflow","metadata":{"name":"x"},"spec":{"tasks":[{"name":"a","type":"noop","with":{"__proto__":{"polluted":true}}}]}}',
    ) as unknown;
    const task = validateWorkflow(valid).spec.tasks[0]!;
    expect(Object.getPrototypeOf(task.with)).toBe(Object.prototype);
    expect(Object.keys(task.with)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects __proto__ as a field of the definition', () => {
    const document = JSON.parse(
      '{"apiVersion":"flowctl/v1","kind":"Workflow","__proto__":{},"metadata":{"name":"x"},"spec":{"tasks":[{"name":"a","type":"noop"}]}}',
    ) as unknown;
    expect(issues(document)).toEqual(['__proto__: unknown field "__proto__" (allowed: apiVersion, kind, metadata, spec)']);
  });

  it('copies with, so the result shares nothing with the input', () => {
    const shared = { list: [1] };
    const definition = validateWorkflow(aWorkflow({ tasks: [aTask({ with: shared })] }));
    expect(definition.spec.tasks[0]!.with).toEqual(shared);
    expect(definition.spec.tasks[0]!.with).not.toBe(shared);
  });
});

describe('validateWorkflow: metadata', () => {
  it('accepts DNS-label names up to 63 characters', () => {
    for (const name of ['a', 'etl-daily', '0day', 'x'.repeat(63)])
      expect(() => validateWorkflow(aWorkflow({ metadata: { name } }))).not.toThrow();
  });

  it('rejects other names, saying what a name may contain', () => {
    for (const name of ['Etl', 'etl_daily', '-etl', 'etl-', 'e.tl', '', 'x'.repeat(64)]) {
      expect(issues(aWorkflow({ metadata: { name } }))).toEqual([
        `metadata.name: invalid name ${JSON.stringify(name)}: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters`,
      ]);
    }
    expect(issues(aWorkflow({ metadata: { name: 12 } }))).toEqual(['metadata.name: must be a string, not a number (12)']);
    expect(issues(aWorkflow({ metadata: { name: undefined } }))).toEqual(['metadata.name: is required']);
  });

  it('defaults the namespace to "default" and checks a given one', () => {
    expect(validateWorkflow(aWorkflow({ metadata: { namespace: 'team-a' } })).metadata.namespace).toBe('team-a');
    expect(issues(aWorkflow({ metadata: { namespace: 'Team A' } }))[0]).toMatch(/^metadata\.namespace: invalid name "Team A"/);
  });

  it('accepts string labels and rejects other values and bad keys', () => {
    expect(
      validateWorkflow(aWorkflow({ metadata: { labels: { team: 'data', 'app.kubernetes.io/name': 'etl' } } })).metadata.labels,
    ).toEqual({
      team: 'data',
      'app.kubernetes.io/name': 'etl',
    });
    expect(issues(aWorkflow({ metadata: { labels: { version: 2, '-bad': 'x' } } }))).toEqual([
      'metadata.labels.version: a label value must be a string, not a number (2) (quote it)',
      'metadata.labels["-bad"]: invalid label key "-bad": use letters, digits, "-", "_", "." and "/", starting and ending with a letter or digit, at most 63 characters',
    ]);
    expect(issues(aWorkflow({ metadata: { labels: ['team'] } }))).toEqual(['metadata.labels: must be a mapping, not a list']);
  });
});

describe('validateWorkflow: inputs', () => {
  it('marks an input required exactly when it has no default', () => {
    const definition = validateWorkflow(
      aWorkflow({
        spec: { inputs: { date: { type: 'string', default: '2026-01-01', description: 'day to load' }, limit: { type: 'integer' } } },
      }),
    );
    expect(definition.spec.inputs).toStrictEqual({
      date: { type: 'string', default: '2026-01-01', required: false, description: 'day to load' },
      limit: { type: 'integer', required: true },
    });
  });

  it('accepts a default of each type that matches it', () => {
    const inputs = {
      s: { type: 'string', default: '' },
      n: { type: 'number', default: 1.5 },
      i: { type: 'integer', default: -3 },
      b: { type: 'boolean', default: false },
      o: { type: 'object', default: { a: 1 } },
      a: { type: 'array', default: [1] },
    };
    expect(Object.keys(validateWorkflow(aWorkflow({ spec: { inputs } })).spec.inputs)).toEqual(['s', 'n', 'i', 'b', 'o', 'a']);
  });

  it('rejects a default that does not match its type', () => {
    const inputs = {
      s: { type: 'string', default: 1 },
      i: { type: 'integer', default: 1.5 },
      o: { type: 'object', default: [] },
      a: { type: 'array', default: {} },
      b: { type: 'boolean', default: 'yes' },
      n: { type: 'number', default: null },
    };
    expect(issues(aWorkflow({ spec: { inputs } }))).toEqual([
      'spec.inputs.s.default: default 1 is not of type string',
      'spec.inputs.i.default: default 1.5 is not of type integer',
      'spec.inputs.o.default: default [] is not of type object',
      'spec.inputs.a.default: default {} is not of type array',
      'spec.inputs.b.default: default "yes" is not of type boolean',
      'spec.inputs.n.default: default null is not of type number',
    ]);
  });

  it('requires a known type', () => {
    expect(issues(aWorkflow({ spec: { inputs: { a: {}, b: { type: 'str' } } } }))).toEqual([
      'spec.inputs.a.type: is required',
      'spec.inputs.b.type: must be one of string, number, integer, boolean, object, array, not "str" (did you mean "string"?)',
    ]);
  });

  it('requires identifier names, since templates read inputs.NAME', () => {
    expect(
      issues(
        aWorkflow({ spec: { inputs: { 'my-date': { type: 'string' }, '1st': { type: 'string' }, constructor: { type: 'string' } } } }),
      ),
    ).toEqual([
      'spec.inputs.my-date: invalid input name "my-date": use letters, digits and "_", not starting with a digit, at most 63 characters',
      'spec.inputs["1st"]: invalid input name "1st": use letters, digits and "_", not starting with a digit, at most 63 characters',
      'spec.inputs.constructor: input name "constructor" is reserved',
    ]);
  });

  it('rejects inputs that are not a mapping of mappings', () => {
    expect(issues(aWorkflow({ spec: { inputs: ['date'] } }))).toEqual(['spec.inputs: must be a mapping, not a list']);
    expect(issues(aWorkflow({ spec: { inputs: { date: 'string' } } }))).toEqual([
      'spec.inputs.date: must be a mapping, not a string ("string")',
    ]);
  });
});

describe('validateWorkflow: run settings', () => {
  it('reads the run timeout and concurrency', () => {
    const { spec } = validateWorkflow(aWorkflow({ spec: { timeout: '1h', concurrency: 10 } }));
    expect(spec.timeout).toBe(3_600_000);
    expect(spec.concurrency).toBe(10);
  });

  it('rejects a bad run timeout and a concurrency below 1 or fractional', () => {
    expect(issues(aWorkflow({ spec: { timeout: '1 hour', concurrency: 0 } }))).toEqual([
      'spec.timeout: invalid duration "1 hour" (use 500ms, 10s, 5m, 1h, 1d or milliseconds)',
      'spec.concurrency: must be an integer of at least 1, not 0',
    ]);
    expect(issues(aWorkflow({ spec: { concurrency: 1.5 } }))).toEqual(['spec.concurrency: must be an integer of at least 1, not 1.5']);
  });

  it('defaults a schedule to UTC and overlap forbid', () => {
    expect(validateWorkflow(aWorkflow({ spec: { schedule: { cron: '*/5 * * * *' } } })).spec.schedule).toEqual({
      cron: '*/5 * * * *',
      timezone: 'UTC',
      overlap: 'forbid',
    });
  });

  it('accepts a valid time zone and overlap policy', () => {
    const schedule = { cron: '0 30 2 * * MON-FRI', timezone: 'Europe/Berlin', overlap: 'buffer_one' };
    expect(validateWorkflow(aWorkflow({ spec: { schedule } })).spec.schedule).toEqual(schedule);
  });

  it('rejects a bad cron, time zone or overlap policy', () => {
    expect(issues(aWorkflow({ spec: { schedule: { cron: '0 2 * *', timezone: 'Mars/Olympus', overlap: 'skip' } } }))).toEqual([
      'spec.schedule.cron: a cron expression has 5 fields (or 6 with seconds), not 4',
      'spec.schedule.timezone: unknown time zone "Mars/Olympus" (use an IANA name such as UTC or Europe/Berlin)',
      'spec.schedule.overlap: must be one of allow, forbid, replace, buffer_one, not "skip"',
    ]);
    expect(issues(aWorkflow({ spec: { schedule: {} } }))).toEqual(['spec.schedule.cron: is required']);
  });

  it('rejects a schedule whose date never comes, such as the 31st of February', () => {
    for (const cron of ['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4,6 *']) {
      const found = issues(aWorkflow({ spec: { schedule: { cron } } }));
      expect(found).toHaveLength(1);
      expect(found[0]!.startsWith(`spec.schedule.cron: "${cron}" never fires`)).toBe(true);
    }
  });

  it('accepts a schedule that fires rarely, such as the 29th of February', () => {
    expect(validateWorkflow(aWorkflow({ spec: { schedule: { cron: '0 0 29 2 *' } } })).spec.schedule?.cron).toBe('0 0 29 2 *');
  });
});
