import { InvalidInput } from '../errors';
import { readData } from './emit';

describe('flowctl emit: reading the data', () => {
  it('reads --data or --data-file as JSON, and nothing as null', () => {
    expect(readData({ data: '{"id": 7}' }, () => '')).toEqual({ id: 7 });
    expect(readData({ dataFile: 'order.json' }, (path) => (path === 'order.json' ? '[1, 2]' : ''))).toEqual([1, 2]);
    expect(readData({}, () => '')).toBeNull();
  });

  it('refuses both flags at once and text that is not JSON, as usage errors', () => {
    expect(() => readData({ data: '{}', dataFile: 'x.json' }, () => '{}')).toThrow(InvalidInput);
    expect(() => readData({ data: '{id: 7}' }, () => '')).toThrow(/--data is not valid JSON/);
  });
});
