import type { InputField } from '../model/input-form';

export interface InputsFormProps {
  fields: readonly InputField[];
  values: Record<string, string>;
  errors: Record<string, string>;
  /** Errors show once a field was touched or a submit was tried, not while the user is still typing the first time. */
  showErrors: boolean;
  onChange: (name: string, value: string) => void;
}

/** The run inputs a workflow declares (`spec.inputs`), one control per type. */
export function InputsForm({ fields, values, errors, showErrors, onChange }: InputsFormProps) {
  if (fields.length === 0) return <p className="muted">This workflow declares no inputs.</p>;
  return (
    <div className="form-grid">
      {fields.map((field) => {
        const id = `input-${field.name}`;
        const error = showErrors ? errors[field.name] : undefined;
        const value = values[field.name] ?? '';
        const hint = [
          field.type,
          field.required ? 'required' : field.hasDefault ? `default ${field.initial.length > 40 ? 'set' : field.initial}` : 'optional',
        ]
          .filter(Boolean)
          .join(' · ');
        return (
          <div className={`form-field${error ? ' invalid' : ''}`} key={field.name}>
            <label htmlFor={id}>
              <span className="field-name">{field.name}</span>
              <span className="field-hint">{hint}</span>
            </label>
            {field.control === 'checkbox' ? (
              <label className="checkbox">
                <input
                  id={id}
                  type="checkbox"
                  checked={value === 'true'}
                  onChange={(event) => onChange(field.name, String(event.target.checked))}
                />
                {value === 'true' ? 'true' : 'false'}
              </label>
            ) : field.control === 'json' ? (
              <textarea
                id={id}
                name={field.name}
                rows={4}
                spellCheck={false}
                value={value}
                placeholder={field.type === 'array' ? '[ ]' : '{ }'}
                aria-invalid={!!error}
                onChange={(event) => onChange(field.name, event.target.value)}
              />
            ) : (
              <input
                id={id}
                name={field.name}
                type={field.control === 'number' ? 'number' : 'text'}
                step={field.type === 'integer' ? 1 : 'any'}
                value={value}
                placeholder={field.hasDefault ? field.initial : ''}
                aria-invalid={!!error}
                onChange={(event) => onChange(field.name, event.target.value)}
              />
            )}
            {field.description && <div className="field-description">{field.description}</div>}
            {error && (
              <div className="field-error" role="alert">
                {field.name} {error}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
