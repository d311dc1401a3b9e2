import type { WorkflowIssue } from '../errors/flowctl-error';

/** Collects every problem of a document, so one apply reports them all. */
export class IssueList {
  private readonly seen = new Set<string>();
  readonly items: WorkflowIssue[] = [];

  add(path: string, message: string): void {
    const key = `${path}\n${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ path, message });
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }
}
