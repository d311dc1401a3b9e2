import { WorkflowInvalid, type WorkflowIssue } from '../errors/flowctl-error';
import { describeValue, field, readDuration, readInteger, readMapping, readRequired, type Mapping } from './document-fields';
import { keyPath, parentPath } from './issue-path';
import { IssueList } from './issue-list';
import { checkJsonData } from './json-value';
import { checkLabel, readName } from './names';
import { readInputs } from './validate-inputs';
import { readNotify } from './validate-notify';
import { readRetry } from './validate-retry';
import { readSchedule } from './validate-schedule';
import { checkTemplates } from './validate-templates';
import { readTriggers } from './validate-triggers';
import { readTasks, MAX_PRIORITY, MIN_PRIORITY, type TaskDefaults } from './validate-tasks';
import { WORKFLOW_LIMITS } from './workflow-limits';
import { API_VERSION, DEFAULT_NAMESPACE, KIND, type WorkflowDefinition } from './workflow-definition';

export const TOP_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
export const METADATA_FIELDS = ['name', 'namespace', 'labels'] as const;
export const SPEC_FIELDS = ['inputs', 'defaults', 'timeout', 'concurrency', 'schedule', 'on', 'tasks', 'notify'] as const;
export const DEFAULTS_FIELDS = ['retry', 'timeout', 'heartbeatTimeout', 'scheduleToStartTimeout', 'priority'] as const;

/**
 * Checks an already-parsed document (a JSON body, or YAML loaded by
 * parseWorkflowSource) and returns it typed with every default applied.
 * Collects all problems and throws one WorkflowInvalid; `locate` maps an issue
 * path to its source line (an issue on a missing field gets its parent's line).
 */
export function validateWorkflow(document: unknown, locate?: (path: string) => number | undefined): WorkflowDefinition {
  const issues = new IssueList();
  const definition = checkJsonData(document, issues, WORKFLOW_LIMITS.maxDepth) ? readWorkflow(document, issues) : undefined;
  if (!definition || !issues.isEmpty) throw new WorkflowInvalid(issues.items.map((issue) => withLine(issue, locate)));
  return definition;
}

function readWorkflow(document: unknown, issues: IssueList): WorkflowDefinition | undefined {
  const root = readMapping(document, '', issues, TOP_FIELDS);
  if (!root) return undefined;
  for (const [key, expected] of [
    ['apiVersion', API_VERSION],
    ['kind', KIND],
  ] as const) {
    const value = readRequired(root, key, '', issues);
    if (value !== undefined && value !== expected) issues.add(key, `must be "${expected}", not ${describeValue(value)}`);
  }
  const metadata = readMetadata(readRequired(root, 'metadata', '', issues), issues);
  const spec = readSpec(readRequired(root, 'spec', '', issues), issues);
  if (!metadata || !spec) return undefined;
  return { apiVersion: API_VERSION, kind: KIND, metadata, spec };
}

function readMetadata(value: unknown, issues: IssueList): WorkflowDefinition['metadata'] | undefined {
  if (value === undefined) return undefined;
  const mapping = readMapping(value, 'metadata', issues, METADATA_FIELDS);
  if (!mapping) return undefined;
  const nameValue = readRequired(mapping, 'name', 'metadata', issues);
  const name = nameValue === undefined ? undefined : readName(nameValue, 'metadata.name', issues);
  const namespace = readName(field(mapping, 'namespace') ?? DEFAULT_NAMESPACE, 'metadata.namespace', issues);
  const labels = readLabels(field(mapping, 'labels'), issues);
  if (name === undefined || namespace === undefined) return undefined;
  return { name, namespace, labels };
}

function readLabels(value: unknown, issues: IssueList): Record<string, string> {
  if (value === undefined || value === null) return {};
  const mapping = readMapping(value, 'metadata.labels', issues);
  if (!mapping) return {};
  const labels = Object.entries(mapping).filter((entry): entry is [string, string] =>
    checkLabel(entry[0], entry[1], keyPath('metadata.labels', entry[0]), issues),
  );
  return Object.fromEntries(labels);
}

function readSpec(value: unknown, issues: IssueList): WorkflowDefinition['spec'] | undefined {
  if (value === undefined) return undefined;
  const mapping = readMapping(value, 'spec', issues, SPEC_FIELDS);
  if (!mapping) return undefined;
  const inputs = readInputs(field(mapping, 'inputs'), 'spec.inputs', issues);
  const defaults = readDefaults(field(mapping, 'defaults'), issues);
  const timeoutValue = field(mapping, 'timeout');
  const timeout = timeoutValue === undefined ? undefined : readDuration(timeoutValue, 'spec.timeout', issues);
  const concurrencyValue = field(mapping, 'concurrency');
  const concurrency = concurrencyValue === undefined ? undefined : readInteger(concurrencyValue, 'spec.concurrency', issues, 1);
  const scheduleValue = field(mapping, 'schedule');
  const schedule = scheduleValue === undefined ? undefined : readSchedule(scheduleValue, 'spec.schedule', issues);
  const on = readTriggers(field(mapping, 'on'), 'spec.on', inputs, issues);
  const { tasks, acyclic } = readTasks(field(mapping, 'tasks'), 'spec.tasks', defaults, issues);
  checkTemplates(tasks, new Set(Object.keys(inputs)), acyclic, issues);
  const notify = readNotify(field(mapping, 'notify'), 'spec.notify', issues);
  return {
    inputs,
    ...(timeout !== undefined ? { timeout } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(schedule !== undefined ? { schedule } : {}),
    ...(on !== undefined ? { on } : {}),
    tasks: tasks.map((task) => task.definition),
    ...(notify !== undefined ? { notify } : {}),
  };
}

function readDefaults(value: unknown, issues: IssueList): TaskDefaults {
  const path = 'spec.defaults';
  const none: TaskDefaults = { retry: { policy: {}, path: keyPath(path, 'retry') } };
  if (value === undefined || value === null) return none;
  const mapping: Mapping | undefined = readMapping(value, path, issues, DEFAULTS_FIELDS);
  if (!mapping) return none;
  const duration = (key: string) => {
    const raw = field(mapping, key);
    return raw === undefined ? undefined : readDuration(raw, keyPath(path, key), issues);
  };
  const retryValue = field(mapping, 'retry');
  const defaults: TaskDefaults = {
    retry: { policy: retryValue === undefined ? {} : readRetry(retryValue, keyPath(path, 'retry'), issues), path: keyPath(path, 'retry') },
  };
  const timeout = duration('timeout');
  const heartbeatTimeout = duration('heartbeatTimeout');
  const scheduleToStartTimeout = duration('scheduleToStartTimeout');
  const priorityValue = field(mapping, 'priority');
  const priority =
    priorityValue === undefined ? undefined : readInteger(priorityValue, keyPath(path, 'priority'), issues, MIN_PRIORITY, MAX_PRIORITY);
  if (timeout !== undefined) defaults.timeout = timeout;
  if (heartbeatTimeout !== undefined) defaults.heartbeatTimeout = heartbeatTimeout;
  if (scheduleToStartTimeout !== undefined) defaults.scheduleToStartTimeout = scheduleToStartTimeout;
  if (priority !== undefined) defaults.priority = priority;
  return defaults;
}

function withLine(issue: WorkflowIssue, locate: ((path: string) => number | undefined) | undefined): WorkflowIssue {
  if (!locate) return issue;
  for (let path: string | undefined = issue.path; path !== undefined; path = parentPath(path)) {
    const line = locate(path);
    if (line !== undefined) return { ...issue, line };
  }
  return issue;
}
