/**
 * Calls to destinations users name (the `http` task, run notifications):
 * public addresses only, or what the operator's allowlist admits, checked
 * after DNS and pinned to the checked address.
 */
export { restrictedRange } from './address-ranges';
export { DestinationRefused, DestinationUnresolved } from './destination-errors';
export {
  allowlistMatch,
  checkDestination,
  hostOf,
  type CheckedDestination,
  type DestinationPolicy,
  type Resolve,
} from './destination-policy';
export { sendPinned, type PinnedRequest } from './pinned-request';
