import { InvalidInput } from './errors';
import { collectInputs, parseInputAssignment, parseInputValue, parseInputsDocument } from './run-inputs';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
};

describe('parseInputValue', () => {
  it.each([
    ['42', 42],
    ['-1.5', -1.5],
    ['true', true],
    ['false', false],
    ['null', null],
    ['{"a":[1,2]}', { a: [1, 2] }],
    ['[1,"x"]', [1, 'x']],
    ['"quoted"', 'quoted'],
  ])('reads %s as JSON', (text, expected) => {
    expect(parseInputValue(text)).toEqual(expected);
  });

  it.each(['2026-01-01', 'hello world', '007', '{not json', ''])('keeps %j as the raw string', (text) => {
    expect(parseInputValue(text)).toBe(text);
  });
});

describe('parseInputAssignment', () => {
  it('splits at the first "=" so values may contain "="', () => {
    expect(parseInputAssignment('query=a=b', noFiles)).toEqual(['query', 'a=b']);
  });

  it('reads key=@file from the file, parsed like an inline value', () => {
    const files: Record<string, string> = { 'payload.json': '{"rows": 3}', 'note.txt': 'plain text\n' };
    const read = (path: string): string => files[path] ?? noFiles(path);
    expect(parseInputAssignment('payload=@payload.json', read)).toEqual(['payload', { rows: 3 }]);
    expect(parseInputAssignment('note=@note.txt', read)).toEqual(['note', 'plain text\n']);
  });

  it.each(['novalue', '=value', ' =x', 'file=@'])('rejects %j as bad input', (assignment) => {
    expect(() => parseInputAssignment(assignment, noFiles)).toThrow(InvalidInput);
  });

  it('names the file it could not read', () => {
    expect(() => parseInputAssignment('data=@missing.json', noFiles)).toThrow(/data=@missing.json: cannot read missing.json: ENOENT/);
  });
});

describe('parseInputsDocument', () => {
  it('reads JSON and YAML mappings', () => {
    expect(parseInputsDocument('{"date": "2026-01-01"}', 'f.json')).toEqual({ date: '2026-01-01' });
    expect(parseInputsDocument('date: "2026-01-01"\ncount: 3\n', 'f.yaml')).toEqual({ date: '2026-01-01', count: 3 });
    expect(parseInputsDocument('', 'empty.yaml')).toEqual({});
  });

  it('rejects a list or a scalar, naming the file', () => {
    expect(() => parseInputsDocument('- a\n- b\n', 'list.yaml')).toThrow('list.yaml: expected a mapping of input names to values');
    expect(() => parseInputsDocument('42', 'n.json')).toThrow(InvalidInput);
  });

  it('rejects malformed YAML', () => {
    expect(() => parseInputsDocument('a: [1, 2', 'bad.yaml')).toThrow(/bad.yaml: not valid JSON or YAML/);
  });
});

describe('collectInputs', () => {
  it('lets --input override --inputs-file, later --input winning', () => {
    const read = (path: string): string => (path === 'in.yaml' ? 'a: 1\nb: 2\n' : noFiles(path));
    expect(collectInputs({ inputsFile: 'in.yaml', assignments: ['b=20', 'c=x', 'c=y'] }, read)).toEqual({ a: 1, b: 20, c: 'y' });
  });

  it('reports an unreadable inputs file as bad input', () => {
    expect(() => collectInputs({ inputsFile: 'nope.json', assignments: [] }, noFiles)).toThrow(/--inputs-file: cannot read nope.json/);
  });
});
