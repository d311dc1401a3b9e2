import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Run, Workflow } from '@flowctl/api-contract';
import { initialValues, inputFields, parseInputs } from '../model/input-form';
import { ConfirmDialog } from './confirm-dialog';
import { InputsForm } from './inputs-form';

/** Start a run of a workflow, with a form built from the inputs its current version declares. */
export function StartRunDialog({
  workflow,
  onClose,
  onStarted,
}: {
  workflow: Workflow;
  onClose: () => void;
  onStarted: (run: Run) => void;
}) {
  const fields = useMemo(() => inputFields(workflow.spec?.inputs ?? workflow.definition?.spec.inputs), [workflow]);
  const [values, setValues] = useState(() => initialValues(fields));
  const [tried, setTried] = useState(false);
  const parsed = parseInputs(fields, values);
  const valid = Object.keys(parsed.errors).length === 0;

  return (
    <ConfirmDialog
      title={`Start a run of ${workflow.name}`}
      confirmLabel="Start run"
      onClose={onClose}
      onDone={onStarted}
      onConfirm={async () => {
        setTried(true);
        if (!valid) throw new Error('Fix the highlighted inputs first.');
        return api.startRun(workflow.name, { inputs: parsed.inputs }, workflow.namespace);
      }}
    >
      <p className="muted">Version {workflow.version}. Inputs left empty take their defaults.</p>
      <InputsForm
        fields={fields}
        values={values}
        errors={parsed.errors}
        showErrors={tried}
        onChange={(name, value) => setValues((current) => ({ ...current, [name]: value }))}
      />
    </ConfirmDialog>
  );
}
