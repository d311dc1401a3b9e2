import { conditionReferences, evaluateCondition, evaluateExpression, expressionReferences } from './condition';
import { ExpressionError } from './expression-error';
import type { ExpressionScope } from './expression-scope';

const scope: ExpressionScope = {
  inputs: { env: 'prod', files: ['a', 'b'], empty: [] },
  tasks: { check: { output: { exitCode: 0, ok: true }, status: 'succeeded' } },
  run: { id: 'r' },
  workflow: { name: 'w' },
};

describe('conditions', () => {
  it('accepts a condition in braces or bare', () => {
    expect(evaluateCondition('{{ tasks.check.output.exitCode == 0 }}', scope)).toBe(true);
    expect(evaluateCondition('tasks.check.output.exitCode == 0', scope)).toBe(true);
    expect(evaluateCondition("  inputs.env != 'prod'  ", scope)).toBe(false);
  });

  it('applies JS truthiness to the value', () => {
    expect(evaluateCondition('tasks.check.output.ok', scope)).toBe(true);
    expect(evaluateCondition('tasks.check.output.exitCode', scope)).toBe(false);
    expect(evaluateCondition('tasks.missing.output', scope)).toBe(false);
    expect(evaluateCondition("''", scope)).toBe(false);
    expect(evaluateCondition('inputs.empty', scope)).toBe(true);
  });

  it('refuses text around the braces, which would make the condition always true', () => {
    expect(() => evaluateCondition('{{ inputs.env }} == prod', scope)).toThrow(ExpressionError);
    expect(() => evaluateCondition('{{ inputs.env }} == prod', scope)).toThrow('a condition must be one expression');
    expect(() => conditionReferences('{{ inputs.a }}{{ inputs.b }}')).toThrow('a condition must be one expression');
  });

  it('reports syntax errors of bare conditions with their position', () => {
    expect(() => evaluateCondition('inputs.env == ', scope)).toThrow('unexpected end of expression at 14 in "inputs.env == "');
  });

  it('lists what a condition reads', () => {
    expect(conditionReferences('tasks.check.output.ok and inputs.env == "prod"')).toEqual({
      tasks: new Set(['check']),
      inputs: new Set(['env']),
      usesItem: false,
      usesEvent: false,
      secrets: new Set(),
    });
    expect(expressionReferences('{{ item }}').usesItem).toBe(true);
  });

  it('evaluates a forEach expression to its value with its type', () => {
    expect(evaluateExpression('{{ inputs.files }}', scope)).toEqual(['a', 'b']);
    expect(evaluateExpression('inputs.files', scope)).toEqual(['a', 'b']);
  });
});
