/**
 * Splits a YAML stream into the raw text of each document, so `apply` can send
 * them one by one and the server reports positions within each. A `---` at the
 * start of a line always starts a document, even inside a block scalar (YAML
 * 1.2, c-forbidden), so line-based splitting is exact.
 */
export function splitYamlDocuments(text: string): string[] {
  const documents: string[][] = [];
  let current: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const line of lines) {
    if (/^---(\s|$)/.test(line)) {
      documents.push(current);
      current = [];
      // `--- key: value` opens a document on the marker's line; keep that content.
      const rest = line.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) current.push(rest);
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      documents.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  documents.push(current);
  return documents.filter((document) => !isBlank(document)).map((document) => `${document.join('\n').replace(/\s+$/, '')}\n`);
}

/** Only blank lines, comments and directives: nothing to apply. */
function isBlank(lines: readonly string[]): boolean {
  return lines.every((line) => /^\s*(#.*)?$/.test(line) || /^%/.test(line));
}
