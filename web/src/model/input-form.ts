import type { InputDefinition, InputType } from '@flowctl/api-contract';

/** One field of the start-run form, from one declared input of `spec.inputs`. */
export interface InputField {
  name: string;
  type: InputType;
  required: boolean;
  description?: string;
  /** The default as the field shows it (text), or '' when there is none. */
  initial: string;
  hasDefault: boolean;
  control: 'text' | 'number' | 'checkbox' | 'json';
}

const CONTROL: Record<InputType, InputField['control']> = {
  string: 'text',
  number: 'number',
  integer: 'number',
  boolean: 'checkbox',
  object: 'json',
  array: 'json',
};

export function inputFields(inputs: Record<string, InputDefinition> | undefined): InputField[] {
  return Object.entries(inputs ?? {}).map(([name, definition]) => {
    const type = definition.type ?? 'string';
    const hasDefault = definition.default !== undefined;
    const control = CONTROL[type] ?? 'text';
    let initial = '';
    if (hasDefault) initial = control === 'json' ? JSON.stringify(definition.default, null, 2) : String(definition.default);
    else if (control === 'checkbox') initial = 'false';
    return { name, type, required: definition.required ?? !hasDefault, description: definition.description, initial, hasDefault, control };
  });
}

export const initialValues = (fields: readonly InputField[]): Record<string, string> =>
  Object.fromEntries(fields.map((f) => [f.name, f.initial]));

export interface ParsedInputs {
  inputs: Record<string, unknown>;
  /** Per field, what is wrong with it; empty when the form can be sent. */
  errors: Record<string, string>;
}

/**
 * The form's text values as typed run inputs, with the same rules the
 * scheduler applies (so most mistakes are caught before the request). A field
 * left empty that has a default is not sent: the scheduler fills the default in.
 */
export function parseInputs(fields: readonly InputField[], values: Record<string, string>): ParsedInputs {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name] ?? '';
    if (field.control === 'checkbox') {
      inputs[field.name] = raw === 'true';
      continue;
    }
    if (raw.trim() === '') {
      if (!field.hasDefault) errors[field.name] = 'required';
      continue;
    }
    switch (field.type) {
      case 'number':
      case 'integer': {
        const value = Number(raw);
        if (!Number.isFinite(value)) errors[field.name] = 'must be a number';
        else if (field.type === 'integer' && !Number.isInteger(value)) errors[field.name] = 'must be a whole number';
        else inputs[field.name] = value;
        break;
      }
      case 'object':
      case 'array': {
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          errors[field.name] = `must be JSON (${field.type === 'array' ? '[ ... ]' : '{ ... }'})`;
          break;
        }
        const isArray = Array.isArray(value);
        if (field.type === 'array' ? !isArray : isArray || typeof value !== 'object' || value === null)
          errors[field.name] = `must be a JSON ${field.type}`;
        else inputs[field.name] = value;
        break;
      }
      default:
        inputs[field.name] = raw;
    }
  }
  return { inputs, errors };
}
