import { splitYamlDocuments } from './yaml-documents';

describe('splitYamlDocuments', () => {
  it('returns a single document unchanged', () => {
    expect(splitYamlDocuments('kind: Workflow\nmetadata:\n  name: a\n')).toEqual(['kind: Workflow\nmetadata:\n  name: a\n']);
  });

  it('splits at --- lines and drops the leading empty document', () => {
    const text = '---\nname: a\n---\nname: b\n--- # third\nname: c\n';
    expect(splitYamlDocuments(text)).toEqual(['name: a\n', 'name: b\n', 'name: c\n']);
  });

  it('skips documents holding only comments and blank lines', () => {
    expect(splitYamlDocuments('# header\n\n---\nname: a\n---\n# nothing\n---\n')).toEqual(['name: a\n']);
  });

  it('keeps content written on the marker line', () => {
    expect(splitYamlDocuments('--- {name: a}\n---\nname: b\n')).toEqual(['{name: a}\n', 'name: b\n']);
  });

  it('does not split on --- inside a line or indented', () => {
    const text = 'with:\n  command: |\n    echo ---\n    ---\n';
    expect(splitYamlDocuments(text)).toEqual([text]);
  });

  it('ends a document at ... and handles CRLF line ends', () => {
    expect(splitYamlDocuments('name: a\r\n...\r\n---\r\nname: b\r\n')).toEqual(['name: a\n', 'name: b\n']);
  });

  it('finds nothing in an empty file', () => {
    expect(splitYamlDocuments('')).toEqual([]);
    expect(splitYamlDocuments('\n# only a comment\n')).toEqual([]);
  });
});
