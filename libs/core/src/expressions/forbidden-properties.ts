/**
 * Names that lead from plain data to the object model. Even as own properties
 * (JSON can carry a `__proto__` key) they are never read, so no expression can
 * reach a prototype or a constructor.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export const isForbiddenProperty = (key: string | number): boolean => typeof key === 'string' && FORBIDDEN.has(key);
