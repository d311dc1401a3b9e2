import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './deployment-files';
import type { ManifestDocument } from './deployment-kubernetes-schema';

const run = promisify(execFile);

/** The custom resources the chart renders, and the kubernetes-models package with their CRD's schema. */
const CRD_MODULES: Record<string, string> = {
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

export const isCustomResource = (document: ManifestDocument): boolean => document.object.apiVersion in CRD_MODULES;

/*
 * The CRD packages are ES modules only, which Jest's CommonJS runtime cannot load;
 * a plain node process validates instead. Documents in on stdin, findings out as JSON.
 */
const VALIDATE = `
const documents = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const modules = ${JSON.stringify(CRD_MODULES)};
const errors = [];
for (const { source, object } of documents) {
  const Model = (await import(modules[object.apiVersion]))[object.kind];
  if (!Model) { errors.push(source + ': no schema for ' + object.apiVersion + ' ' + object.kind); continue; }
  try { new Model(object).validate(); } catch (error) { errors.push(source + ' (' + object.kind + ' ' + object.metadata?.name + '): ' + error.message); }
}
process.stdout.write(JSON.stringify(errors));
`;

/** Validates ServiceMonitors and ScaledObjects against the schemas of their CRDs (as kubernetes-models publishes them). */
export async function customResourceSchemaErrors(documents: ManifestDocument[]): Promise<string[]> {
  const source = `import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); ${VALIDATE}`;
  const child = run(process.execPath, ['--input-type=module', '-e', source], { cwd: REPO_ROOT, timeout: 60_000 });
  child.child.stdin!.end(JSON.stringify(documents));
  return JSON.parse((await child).stdout) as string[];
}
