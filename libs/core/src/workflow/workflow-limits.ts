import { MAX_EXPRESSION_LENGTH } from '../expressions/parser';

/**
 * Bounds on what apply accepts. A definition is read from untrusted input by
 * every scheduler, so each limit caps the memory or time one request can cost.
 */
export const WORKFLOW_LIMITS = {
  maxSourceBytes: 1_048_576,
  /** YAML aliases (`*name`) per document. */
  maxAliases: 100,
  /** Nesting of mappings and lists, the document's root mapping counting as 1. */
  maxDepth: 64,
  maxTasks: 10_000,
  maxNameLength: 63,
  maxExpressionLength: MAX_EXPRESSION_LENGTH,
  /**
   * Size of the document once aliases are expanded (nodes plus scalar
   * characters): few aliases can still nest into a "billion laughs", and every
   * stored or rendered copy of the definition pays the expanded size.
   */
  maxExpandedSize: 4 * 1_048_576,
} as const;
