import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository root: documents name paths relative to it or to themselves. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** One fenced block of a markdown file: its info string (```yaml invalid -> "yaml invalid"), text and first line. */
export interface FencedBlock {
  file: string;
  info: string;
  text: string;
  line: number;
}

/** One `[text](target)` or `![alt](target)` of a markdown file, outside fenced blocks and inline code. */
export interface MarkdownLink {
  file: string;
  target: string;
  line: number;
}

/** The user-facing documents: the root README and every markdown file under docs/. */
export function userDocuments(): string[] {
  return ['README.md', ...markdownBelow('docs')];
}

function markdownBelow(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...markdownBelow(path));
    else if (entry.name.endsWith('.md')) found.push(path);
  }
  return found.sort();
}

export function fencedBlocks(file: string): FencedBlock[] {
  const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
  const blocks: FencedBlock[] = [];
  let open: { fence: string; info: string; line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = /^\s*(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (!open) {
      if (fence) open = { fence: fence[1]!, info: fence[2]!.trim(), line: index + 2, body: [] };
    } else if (fence && fence[1]!.startsWith(open.fence) && fence[2]!.trim() === '') {
      blocks.push({ file, info: open.info, text: `${open.body.join('\n')}\n`, line: open.line });
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  return blocks;
}

/** Links as written, with the line they are on; code (fenced or inline) is not markdown and is skipped. */
export function markdownLinks(file: string): MarkdownLink[] {
  const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
  const links: MarkdownLink[] = [];
  let inFence = false;
  lines.forEach((line, index) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ file, target: match[1]!, line: index + 1 });
    }
  });
  return links;
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a markdown file offers: its headings (duplicates numbered as GitHub does). */
export function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of readFileSync(join(REPO_ROOT, file), 'utf8').split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = headingAnchor(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What a relative link points at, from the repository root, or undefined for an outside address or a same-page anchor. */
export function linkedPath(link: MarkdownLink): { path: string; anchor?: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined;
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const path = pathPart.split('?')[0]!;
  const resolved = path === '' ? link.file : relative(REPO_ROOT, join(REPO_ROOT, dirname(link.file), decodeURIComponent(path)));
  return { path: resolved, ...(anchor ? { anchor } : {}) };
}

export const existsInRepo = (path: string): boolean => existsSync(join(REPO_ROOT, path));
export const isDirectoryInRepo = (path: string): boolean => existsInRepo(path) && statSync(join(REPO_ROOT, path)).isDirectory();

/** Tracked files, and new ones not ignored: what a commit of the working tree would hold. */
export function repositoryFiles(): string[] {
  const output = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT });
  return output
    .toString('utf8')
    .split('\0')
    .filter((path) => path !== '' && existsInRepo(path) && !isDirectoryInRepo(path));
}
