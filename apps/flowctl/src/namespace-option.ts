import { Option } from 'commander';
import { ApiError } from './api-client';
import type { Run } from './api-shapes';

/** `-n NAMESPACE`, as kubectl and argo spell it, on every command that names namespaced objects. */
export const namespaceOption = (): Option =>
  new Option('-n, --namespace <namespace>', 'the namespace (default: $FLOWCTL_NAMESPACE, else "default")');

/** A run is found by its id alone; asked for in another namespace, it is not there, as kubectl answers for a pod. */
export function assertRunInNamespace(run: Run, id: string, namespace: string | undefined): void {
  if (namespace !== undefined && run['namespace'] !== namespace)
    throw new ApiError(404, `run "${id}" not found in namespace "${namespace}"`, 'Not Found');
}
