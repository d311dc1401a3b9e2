import { constructFromEvents, CORE_SCHEMA, parseEvents, YAMLException, type Event } from 'js-yaml';
import { WorkflowInvalid } from '../errors/flowctl-error';
import { lineLocator, sourceLines } from './source-lines';
import { validateWorkflow } from './validate-workflow';
import type { WorkflowDefinition } from './workflow-definition';
import { WORKFLOW_LIMITS } from './workflow-limits';
import { yamlSafetyProblem } from './yaml-safety';

/**
 * YAML (or JSON, which is YAML) text to a validated definition; throws
 * WorkflowInvalid with line numbers. The source is parsed once into events;
 * the events are checked (documents, aliases, expanded size) before any object
 * is built, then give both the document and the path -> line map.
 */
export function parseWorkflowSource(source: string): WorkflowDefinition {
  if (isOverByteLimit(source, WORKFLOW_LIMITS.maxSourceBytes)) {
    throw new WorkflowInvalid([{ path: '', message: `the source is over the limit of ${WORKFLOW_LIMITS.maxSourceBytes} bytes` }]);
  }
  const lineAt = lineLocator(source);
  // js-yaml's depth counts block and flow style differently, so it is only the guard
  // that keeps the parser's stack bounded; validateWorkflow enforces the exact limit.
  const events = readYaml(() => parseEvents(source, { maxDepth: WORKFLOW_LIMITS.maxDepth + 2 }));
  const problem = yamlSafetyProblem(source, events, lineAt);
  if (problem) throw new WorkflowInvalid([problem]);
  const [document] = readYaml(() => constructFromEvents(events, { source, schema: CORE_SCHEMA, maxAliases: WORKFLOW_LIMITS.maxAliases }));
  if (document === null || document === undefined) throw new WorkflowInvalid([{ path: '', message: 'the document is empty' }]);
  return validateWorkflow(document, sourceLines(source, events, lineAt));
}

function readYaml<T extends Event[] | unknown[]>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const line = error.mark ? error.mark.line + 1 : undefined;
    throw new WorkflowInvalid([{ path: '', message: `invalid YAML: ${error.reason}`, ...(line !== undefined ? { line } : {}) }]);
  }
}

/** UTF-8 length against a limit, without allocating an encoded copy of a source that may be huge. */
function isOverByteLimit(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes > limit;
}
