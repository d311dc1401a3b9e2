export { inputsForEvent, triggerSourceOf, type EventView, type TriggerKind } from './trigger-match';
export { findWorkflowRunCycle } from './workflow-run-cycle';
