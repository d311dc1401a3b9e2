import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { InputsForm } from '../components/inputs-form';
import { initialValues, inputFields, parseInputs, type InputField } from './input-form';

const fields = inputFields({
  who: { type: 'string', default: 'world', required: false },
  count: { type: 'integer', required: true },
  ratio: { type: 'number', default: 0.5, required: false },
  dryRun: { type: 'boolean', default: true, required: false },
  tags: { type: 'array', default: ['a'], required: false },
  limits: { type: 'object', required: true },
});

describe('inputFields', () => {
  it('builds one control per declared input, by type, with defaults shown', () => {
    expect(fields.map((f) => [f.name, f.control, f.required, f.initial])).toEqual([
      ['who', 'text', false, 'world'],
      ['count', 'number', true, ''],
      ['ratio', 'number', false, '0.5'],
      ['dryRun', 'checkbox', false, 'true'],
      ['tags', 'json', false, '[\n  "a"\n]'],
      ['limits', 'json', true, ''],
    ]);
  });
});

describe('parseInputs', () => {
  it('types the values and leaves empty fields with defaults to the scheduler', () => {
    const values = { ...initialValues(fields), who: '', count: '3', dryRun: 'false', limits: '{"cpu": 2}' };
    expect(parseInputs(fields, values)).toEqual({
      inputs: { count: 3, ratio: 0.5, dryRun: false, tags: ['a'], limits: { cpu: 2 } },
      errors: {},
    });
  });

  it('names what is wrong with each field', () => {
    const values = { ...initialValues(fields), count: '2.5', ratio: 'lots', tags: '{"not": "a list"}', limits: '{oops' };
    expect(parseInputs(fields, values).errors).toEqual({
      count: 'must be a whole number',
      ratio: 'must be a number',
      tags: 'must be a JSON array',
      limits: 'must be JSON ({ ... })',
    });
    expect(parseInputs(fields, { ...initialValues(fields), limits: '{}' }).errors).toEqual({ count: 'required' });
  });
});

function Harness({ fields: list }: { fields: InputField[] }) {
  const [values, setValues] = useState(() => initialValues(list));
  const parsed = parseInputs(list, values);
  return (
    <>
      <InputsForm
        fields={list}
        values={values}
        errors={parsed.errors}
        showErrors
        onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
      />
      <output data-testid="inputs">{JSON.stringify(parsed.inputs)}</output>
    </>
  );
}

describe('InputsForm', () => {
  it('edits each kind of input and shows field errors as the user types', () => {
    render(<Harness fields={fields} />);
    expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual(['count required', 'limits required']);
    fireEvent.change(screen.getByLabelText(/^count/), { target: { value: '7' } });
    fireEvent.click(screen.getByLabelText(/^dryRun/));
    fireEvent.change(screen.getByLabelText(/^limits/), { target: { value: '{"max": 1}' } });
    expect(screen.queryAllByRole('alert')).toHaveLength(0);
    expect(JSON.parse(screen.getByTestId('inputs').textContent!)).toEqual({
      who: 'world',
      count: 7,
      ratio: 0.5,
      dryRun: false,
      tags: ['a'],
      limits: { max: 1 },
    });
  });

  it('says so when a workflow declares no inputs', () => {
    render(<InputsForm fields={[]} values={{}} errors={{}} showErrors onChange={() => undefined} />);
    expect(screen.getByText('This workflow declares no inputs.')).toBeTruthy();
  });
});
