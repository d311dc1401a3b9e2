import { Writable } from 'node:stream';
import { withLogContext } from './log-context';
import { addLogRedactor } from './log-redaction';
import { configureLogging, getLogger } from './logger';
import { NestPinoLogger } from './nest-logger';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logging', () => {
  it('writes one JSON object a line, with level, message, service and component', () => {
    const out = capture();
    configureLogging({ service: 'scheduler', level: 'info', format: 'json', destination: out.stream });
    getLogger('Engine').info({ runs: 2 }, 'hello');
    getLogger('Engine').debug('not at info level');
    const lines = out.lines().map((line) => JSON.parse(line));
    expect(lines).toEqual([expect.objectContaining({ level: 'info', msg: 'hello', service: 'scheduler', component: 'Engine', runs: 2 })]);
    expect(typeof lines[0].time).toBe('string');
  });

  it('adds the run, task and attempt of the log context to every line inside it, and only there', async () => {
    const out = capture();
    configureLogging({ service: 'worker', level: 'info', format: 'json', destination: out.stream });
    const logger = getLogger('task-runner');
    await withLogContext({ runId: 'r1', task: 'load', attempt: 2 }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = out.lines().map((line) => JSON.parse(line));
    expect(inside).toMatchObject({ msg: 'inside', runId: 'r1', task: 'load', attempt: 2 });
    expect(outside.runId).toBeUndefined();
  });

  it('passes every line through registered redactors until they are removed', () => {
    const out = capture();
    configureLogging({ service: 'worker', level: 'info', format: 'json', destination: out.stream });
    const mask = (text: string) => text.replaceAll('hunter2', '***');
    const remove = addLogRedactor(({ message, fields }) => ({
      message: mask(message),
      fields: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? mask(value) : value])),
    }));
    getLogger().info({ header: 'Bearer hunter2' }, 'password hunter2 sent');
    remove();
    getLogger().info('hunter2 again');
    const [masked, plain] = out.lines().map((line) => JSON.parse(line));
    expect(masked).toMatchObject({ msg: 'password *** sent', header: 'Bearer ***' });
    expect(plain.msg).toBe('hunter2 again');
  });

  it('writes readable lines, not JSON, in the pretty format', () => {
    const out = capture();
    configureLogging({ service: 'scheduler', level: 'info', format: 'pretty', destination: out.stream });
    getLogger('Engine').info({ runId: 'r1' }, 'run started');
    const text = out.lines().join('\n');
    expect(text).toContain('run started');
    expect(text).toContain('r1');
    expect(() => JSON.parse(out.lines()[0]!)).toThrow();
  });

  it("writes Nest's own lines as JSON, with the Nest context as component and an error's stack", () => {
    const out = capture();
    const nest = new NestPinoLogger(configureLogging({ service: 'scheduler', level: 'info', format: 'json', destination: out.stream }));
    nest.log('Mapped {/api/v1/runs, GET} route', 'RouterExplorer');
    nest.error('request failed', 'Error: boom\n    at x', 'Api');
    nest.debug('below the level', 'Api');
    const [mapped, failed, ...rest] = out.lines().map((line) => JSON.parse(line));
    expect(mapped).toMatchObject({ level: 'info', component: 'RouterExplorer', msg: 'Mapped {/api/v1/runs, GET} route' });
    expect(failed).toMatchObject({ level: 'error', component: 'Api', msg: 'request failed', stack: 'Error: boom\n    at x' });
    expect(rest).toEqual([]);
  });
});
