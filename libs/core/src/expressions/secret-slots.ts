import type { ExpressionScope } from './expression-scope';
import { compileTemplate, type TemplatePart } from './template';

/** What the scheduler stores and shows where a secret's value will go. */
export const secretPlaceholder = (name: string): string => `[secret:${name}]`;

/**
 * One string of a task's input that reads secrets: where it sits in the input
 * and its rendered pieces. The pieces hold everything but the secret values,
 * so the worker can rebuild the string once it has opened the secrets.
 *
 * The input itself only carries placeholders; slots are kept beside it rather
 * than found by searching the input for `[secret:NAME]`, because a run input or
 * a task output could contain that text and would then pull a secret into a
 * place its author never put it.
 */
export interface SecretSlot {
  path: (string | number)[];
  parts: TemplatePart[];
}

export interface RenderedTaskInput {
  /** The input with a placeholder for each secret: safe to store, show and log. */
  input: unknown;
  secretSlots: SecretSlot[];
}

/** Renders a task's `with` like renderValue, keeping secrets out of it (see SecretSlot). */
export function renderValueKeepingSecrets(value: unknown, scope: ExpressionScope): RenderedTaskInput {
  const secretSlots: SecretSlot[] = [];
  // One path stack for the walk, copied only into a slot: most inputs read no secret at all.
  const path: (string | number)[] = [];
  const render = (current: unknown): unknown => {
    if (typeof current === 'string') {
      const template = compileTemplate(current);
      if (!template.readsSecrets) return template.render(scope);
      const parts = template.renderParts(scope);
      secretSlots.push({ path: [...path], parts });
      return parts.map((part) => (typeof part === 'string' ? part : secretPlaceholder(part.secret))).join('');
    }
    if (Array.isArray(current))
      return current.map((item, index) => {
        path.push(index);
        const rendered = render(item);
        path.pop();
        return rendered;
      });
    if (isPlainObject(current))
      return Object.fromEntries(
        Object.entries(current).map(([key, item]) => {
          path.push(key);
          const rendered = render(item);
          path.pop();
          return [key, rendered];
        }),
      );
    return current;
  };
  return { input: render(value), secretSlots };
}

/** The distinct secret names the slots read, in first-use order. */
export function secretNamesOf(slots: readonly SecretSlot[]): string[] {
  const names = new Set<string>();
  for (const slot of slots) for (const part of slot.parts) if (typeof part !== 'string') names.add(part.secret);
  return [...names];
}

/** A copy of `input` with every slot filled from `values` (every name the slots read must be there). */
export function fillSecretSlots(input: unknown, slots: readonly SecretSlot[], values: ReadonlyMap<string, string>): unknown {
  const filled = structuredClone(input);
  for (const slot of slots) {
    const text = slot.parts.map((part) => (typeof part === 'string' ? part : valueOf(values, part.secret))).join('');
    if (slot.path.length === 0) return text;
    let container: unknown = filled;
    for (const key of slot.path.slice(0, -1))
      container = isContainer(container) && Object.hasOwn(container, key) ? container[key] : undefined;
    const last = slot.path.at(-1)!;
    if (isContainer(container) && Object.hasOwn(container, last))
      // defineProperty, so a `__proto__` key stays data, as renderValue made it.
      Object.defineProperty(container, last, { value: text, writable: true, enumerable: true, configurable: true });
  }
  return filled;
}

function valueOf(values: ReadonlyMap<string, string>, name: string): string {
  const value = values.get(name);
  if (value === undefined) throw new Error(`secret ${name} was not opened`);
  return value;
}

function isContainer(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
