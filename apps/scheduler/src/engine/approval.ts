/** Approval steps are decided through the API by a person, so the scheduler handles them itself. */
export const APPROVAL_TYPE = 'approval';
/** Recorded as the worker of an approval step: no worker process ran it. */
export const APPROVAL_WORKER = 'approval';
