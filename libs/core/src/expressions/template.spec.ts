import type { ExpressionScope } from './expression-scope';
import { compileTemplate } from './template';

const aScope = (inputs: Record<string, unknown> = {}, tasks: ExpressionScope['tasks'] = {}): ExpressionScope => ({
  inputs,
  tasks,
  run: { id: 'run-1' },
  workflow: { name: 'etl' },
});
const render = (source: string, scope = aScope()) => compileTemplate(source).render(scope);

describe('templates', () => {
  it('returns a string without {{ }} unchanged and says it is not a template', () => {
    const compiled = compileTemplate('plain text with } and { braces');
    expect(compiled.isTemplate).toBe(false);
    expect(compiled.render(aScope())).toBe('plain text with } and { braces');
    expect(compiled.references).toEqual({ tasks: new Set(), inputs: new Set(), usesItem: false, secrets: new Set(), usesEvent: false });
  });

  it('keeps the type of the value when the string is exactly one {{ expr }}', () => {
    const scope = aScope({ n: 3, flag: false, obj: { a: [1] }, list: [1, 2], nothing: null });
    expect(render('{{ inputs.n }}', scope)).toBe(3);
    expect(render('  {{ inputs.flag }}\n', scope)).toBe(false);
    expect(render('{{inputs.obj}}', scope)).toEqual({ a: [1] });
    expect(render('{{ inputs.list }}', scope)).toEqual([1, 2]);
    expect(render('{{ inputs.nothing }}', scope)).toBeNull();
    expect(compileTemplate('{{ inputs.n }}').isTemplate).toBe(true);
  });

  it('renders a missing value of a whole-value template as null, which survives JSON', () => {
    expect(render('{{ inputs.missing }}')).toBeNull();
  });

  it('renders each {{ }} of a longer string as text: objects as JSON, null and missing as nothing', () => {
    const scope = aScope({ n: 3, flag: true, obj: { a: 1 }, list: [1, 'x'], nothing: null });
    expect(render('n={{ inputs.n }} flag={{ inputs.flag }}', scope)).toBe('n=3 flag=true');
    expect(render('obj={{ inputs.obj }} list={{ inputs.list }}', scope)).toBe('obj={"a":1} list=[1,"x"]');
    expect(render('[{{ inputs.nothing }}][{{ inputs.missing }}]', scope)).toBe('[][]');
    expect(render('{{ inputs.n }}{{ inputs.n }}', scope)).toBe('33');
  });

  it('reads task outputs and statuses, the run and the workflow', () => {
    const scope = aScope({}, { extract: { output: { status: 200 }, status: 'succeeded' } });
    expect(render('{{ tasks.extract.output.status }}', scope)).toBe(200);
    expect(render('{{ tasks.extract.status }} in {{ run.id }} of {{ workflow.name }}', scope)).toBe('succeeded in run-1 of etl');
  });

  it('does not end an expression at }} inside a quoted string', () => {
    expect(render("{{ 'a}}b' }}")).toBe('a}}b');
    expect(render('x{{ "}}" }}y')).toBe('x}}y');
  });

  it('leaves a stray }} outside any expression as text', () => {
    expect(render('a }} b {{ run.id }}')).toBe('a }} b run-1');
  });

  it('lists the tasks and inputs it reads, and whether it reads item or index', () => {
    const { references } = compileTemplate(
      '{{ tasks.a.output.x }} {{ tasks.b.status }} {{ inputs.date }} {{ inputs["size"] }} {{ item.n }}',
    );
    expect(references.tasks).toEqual(new Set(['a', 'b']));
    expect(references.inputs).toEqual(new Set(['date', 'size']));
    expect(references.usesItem).toBe(true);
    expect(compileTemplate('{{ index }}').references.usesItem).toBe(true);
    expect(compileTemplate('{{ inputs[run.id] }}').references.inputs).toEqual(new Set());
  });

  it('collects references inside computed indices and operators', () => {
    const { references } = compileTemplate('{{ inputs.map[tasks.a.output.key] == (not inputs.flag) }}');
    expect(references.tasks).toEqual(new Set(['a']));
    expect(references.inputs).toEqual(new Set(['map', 'flag']));
  });

  it('hands out copies of its references, so a caller cannot change the cached template', () => {
    const first = compileTemplate('{{ tasks.a.output }}');
    first.references.tasks.add('intruder');
    expect(compileTemplate('{{ tasks.a.output }}').references.tasks).toEqual(new Set(['a']));
  });

  it('returns the cached compilation for a source seen before', () => {
    expect(compileTemplate('{{ run.id }} cached')).toBe(compileTemplate('{{ run.id }} cached'));
  });

  it('never evaluates code: globals are unreachable', () => {
    expect(() => compileTemplate('{{ globalThis }}')).toThrow('unknown name "globalThis"');
    expect(() => compileTemplate("{{ inputs.constructor.constructor('return process')() }}")).toThrow('unexpected token "("');
    expect(() => compileTemplate('{{ inputs.constructor.constructor }}')).toThrow('property "constructor" is not accessible');
  });
});
