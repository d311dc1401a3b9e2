export { ExpressionError } from './expression-error';
export type { ExpressionScope } from './expression-scope';
export { ROOT_NAMES } from './expression-scope';
export type { References } from './references';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from './parser';
export { compileTemplate, renderAsText, templatePieces, type CompiledTemplate } from './template';
export { collectReferences, renderValue } from './render-value';
export { conditionReferences, evaluateCondition, evaluateExpression, expressionReferences } from './condition';
