import { fillSecretSlots, renderValueKeepingSecrets, secretNamesOf } from './secret-slots';
import type { ExpressionScope } from './expression-scope';

const scope = (inputs: Record<string, unknown> = {}): ExpressionScope => ({
  inputs,
  tasks: {},
  run: { id: 'r1' },
  workflow: { name: 'w' },
});

describe('renderValueKeepingSecrets', () => {
  it('leaves a placeholder where a secret goes and keeps the pieces beside it', () => {
    const rendered = renderValueKeepingSecrets(
      {
        url: 'https://{{ inputs.host }}/',
        headers: { authorization: 'Bearer {{ secrets.TOKEN }} for {{ inputs.who }}' },
        key: '{{ secrets.KEY }}',
      },
      scope({ host: 'example.test', who: 'me' }),
    );
    expect(rendered.input).toEqual({
      url: 'https://example.test/',
      headers: { authorization: 'Bearer [secret:TOKEN] for me' },
      key: '[secret:KEY]',
    });
    expect(rendered.secretSlots).toEqual([
      { path: ['headers', 'authorization'], parts: ['Bearer ', { secret: 'TOKEN' }, ' for me'] },
      { path: ['key'], parts: [{ secret: 'KEY' }] },
    ]);
    expect(secretNamesOf(rendered.secretSlots)).toEqual(['TOKEN', 'KEY']);
  });

  it('has no slots for a task without secrets', () => {
    expect(renderValueKeepingSecrets({ a: ['{{ inputs.x }}'] }, scope({ x: 1 }))).toEqual({ input: { a: [1] }, secretSlots: [] });
  });

  it('does not turn a placeholder-looking run input into a secret', () => {
    const rendered = renderValueKeepingSecrets(
      { url: '{{ inputs.url }}', auth: '{{ secrets.TOKEN }}' },
      scope({ url: 'https://evil.test/?[secret:TOKEN]' }),
    );
    const filled = fillSecretSlots(rendered.input, rendered.secretSlots, new Map([['TOKEN', 's3cret']]));
    expect(filled).toEqual({ url: 'https://evil.test/?[secret:TOKEN]', auth: 's3cret' });
  });
});

describe('fillSecretSlots', () => {
  it('fills every slot, in lists too, without changing the stored input', () => {
    const rendered = renderValueKeepingSecrets({ env: ['A={{ secrets.A }}', 'B=b'], whole: '{{ secrets.A }}' }, scope());
    const filled = fillSecretSlots(rendered.input, rendered.secretSlots, new Map([['A', 'x"y']]));
    expect(filled).toEqual({ env: ['A=x"y', 'B=b'], whole: 'x"y' });
    expect(rendered.input).toEqual({ env: ['A=[secret:A]', 'B=b'], whole: '[secret:A]' });
  });

  it('fills a with that is one string', () => {
    const rendered = renderValueKeepingSecrets('{{ secrets.A }}', scope());
    expect(fillSecretSlots(rendered.input, rendered.secretSlots, new Map([['A', 'v']]))).toBe('v');
  });
});
