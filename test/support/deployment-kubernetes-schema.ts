import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './deployment-files';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface ManifestDocument {
  /** e.g. `flowctl/templates/scheduler-deployment.yaml#3` */
  source: string;
  object: KubernetesObject;
}

type Model = new (data: unknown) => { validate(): void };

/** kubernetes-models has one module per API version, named as the apiVersion is (`v1`, `apps/v1`, `policy/v1`). */
function modelFor(apiVersion: string, kind: string): Model | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const group = require(`kubernetes-models/${apiVersion}`) as Record<string, Model | undefined>;
  return group[kind];
}

/**
 * Validates against the Kubernetes OpenAPI schemas (types, required fields, enums,
 * formats such as resource quantities) compiled into kubernetes-models.
 */
export function kubernetesSchemaErrors(document: ManifestDocument): string[] {
  const { apiVersion, kind } = document.object;
  let Model: Model | undefined;
  try {
    Model = modelFor(apiVersion, kind);
  } catch {
    Model = undefined;
  }
  if (!Model) return [`${document.source}: no schema for ${apiVersion} ${kind}`];
  try {
    new Model(document.object).validate();
    return [];
  } catch (error) {
    return [`${document.source} (${kind} ${document.object.metadata?.name}): ${(error as Error).message}`];
  }
}

/** kubernetes-types lays the API out by the group's first label: `v1` -> core/v1, `policy/v1` -> policy/v1. */
function typesModuleFor(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `kubernetes-types/${group!.split('.')[0]}/${version}`;
}

/**
 * The OpenAPI schemas allow unknown fields (the API server drops or rejects them
 * only at apply time), so a misspelt `readinesProbe` would pass the check above.
 * kubernetes-types states every field of every kind; TypeScript's excess-property
 * check on object literals then finds the unknown ones, the way `kubeconform -strict` does.
 */
export function unknownKubernetesFields(documents: ManifestDocument[]): string[] {
  const imports = new Map<string, string>();
  const lines = documents.map((document, index) => {
    const module = typesModuleFor(document.object.apiVersion);
    if (!imports.has(module)) imports.set(module, `m${imports.size}`);
    return `export const d${index}: ${imports.get(module)}.${document.object.kind} = ${JSON.stringify(document.object)};`;
  });
  const header = [...imports].map(([module, alias]) => `import type * as ${alias} from '${module}';`);
  const source = [...header, ...lines].join('\n');
  // A virtual file inside the repository, so that `kubernetes-types` resolves from its node_modules.
  const fileName = join(REPO_ROOT, 'test', 'support', '__kubernetes-manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName)!;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((diagnostic) => {
    const line = diagnostic.start === undefined ? -1 : file.getLineAndCharacterOfPosition(diagnostic.start).line - header.length;
    const where = documents[line]?.source ?? 'manifests';
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}
