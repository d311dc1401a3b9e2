import ignore from '@balena/dockerignore';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { parseDuration } from '@flowctl/core';
import { loadSchedulerConfig } from '../apps/scheduler/src/config/scheduler-config';
import { BUILT_IN_TYPES, loadWorkerConfig } from '../apps/worker/src/config/worker-config';
import { composeSchemaErrors } from './support/deployment-compose-schema';
import { readDockerfile, type DockerStage } from './support/deployment-dockerfile';
import { loadYamlDocuments, loadYamlFile, readRepoFile, repoFileExists, repoFilesIn } from './support/deployment-files';
import {
  kubernetesSchemaErrors,
  unknownKubernetesFields,
  type KubernetesObject,
  type ManifestDocument,
} from './support/deployment-kubernetes-schema';

const SCHEDULER_MAIN = 'dist/apps/scheduler/src/main.js';
const WORKER_MAIN = 'dist/apps/worker/src/main.js';
const READYZ = '/api/v1/readyz';
const HEALTHZ = '/api/v1/healthz';
/** A worker drains its running tasks this long after SIGTERM unless FLOWCTL_WORKER_GRACE says otherwise. */
const WORKER_DRAIN_MS = loadWorkerConfig({ REDIS_URL: 'redis://localhost:6379' }).shutdownGraceMs;

const runFile = promisify(execFile);

/** The app a command starts, from the entry point it runs. */
function appOf(command: readonly string[] | undefined): 'scheduler' | 'worker' | undefined {
  if (command?.includes(SCHEDULER_MAIN)) return 'scheduler';
  if (command?.includes(WORKER_MAIN)) return 'worker';
  return undefined;
}

const isSubset = (labels: Record<string, string> | undefined, of: Record<string, string> | undefined): boolean =>
  Object.keys(labels ?? {}).length > 0 && Object.entries(labels ?? {}).every(([key, value]) => of?.[key] === value);

/** Built-in task types the example workflows use (approval and workflow steps need no worker). */
function builtInTypesUsedByExamples(): Set<string> {
  const used = new Set<string>();
  for (const file of repoFilesIn('examples', '.yaml')) {
    for (const document of loadYamlDocuments(file) as { spec?: { tasks?: { type?: string }[] } }[]) {
      for (const task of document.spec?.tasks ?? []) {
        if ((BUILT_IN_TYPES as readonly string[]).includes(task.type ?? '')) used.add(task.type!);
      }
    }
  }
  return used;
}

describe('deployments/Dockerfile', () => {
  const dockerfile = readDockerfile('deployments/Dockerfile');
  const { stages } = dockerfile;
  const runtime = stages[stages.length - 1]!;
  const stageNamed = (name: string) => stages.find((stage) => stage.name === name);
  const instructionsOf = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

  /** The WORKDIR a stage runs in, inherited from the stage it is built on. */
  function workdirOf(stage: DockerStage): string {
    const own = instructionsOf(stage, 'WORKDIR').at(-1)?.args[0];
    if (own) return own;
    const parent = stageNamed(stage.from);
    return parent ? workdirOf(parent) : '/';
  }

  /**
   * Where a file of the runtime image comes from in the repository: follows the
   * runtime's `COPY --from=<stage>` back to the stage, and from there to the build
   * context (a stage that ran `npm run build` has the repository's dist/).
   */
  function repositoryPathOf(imagePath: string): string | undefined {
    const absolute = posix.resolve(workdirOf(runtime), imagePath);
    for (const copy of instructionsOf(runtime, 'COPY')) {
      const [source, destination] = copy.args;
      const target = posix.resolve(workdirOf(runtime), destination!);
      if (!copy.flags.from || (absolute !== target && !absolute.startsWith(`${target}/`))) continue;
      const stage = stageNamed(copy.flags.from);
      if (!stage) return undefined;
      const inStage = posix.join(source!, posix.relative(target, absolute));
      return posix.relative(workdirOf(stage), inStage);
    }
    return undefined;
  }

  it('passes the Dockerfile linter', () => {
    expect(dockerfile.lint).toEqual([]);
  });

  it('builds in stages from a Node base that satisfies package.json engines', () => {
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    const minimumMajor = Number(/(\d+)/.exec(engines)?.[1]);
    for (const stage of stages) {
      if (stageNamed(stage.from)) continue;
      const major = Number(/^node:(\d+)/.exec(stage.from)?.[1]);
      expect({ stage: stage.name, major: major >= minimumMajor }).toEqual({ stage: stage.name, major: true });
    }
    expect(stages.length).toBeGreaterThan(2);
  });

  it('copies from stages that exist, and from the context only files that are in it', () => {
    const dockerignore = ignore().add(readRepoFile('.dockerignore'));
    for (const stage of stages) {
      for (const copy of instructionsOf(stage, 'COPY')) {
        const sources = copy.args.slice(0, -1);
        if (copy.flags.from) {
          expect(stages.slice(0, stages.indexOf(stage)).map((s) => s.name)).toContain(copy.flags.from);
          continue;
        }
        for (const source of sources) {
          expect({ source, exists: source === '.' || repoFileExists(source) }).toEqual({ source, exists: true });
          if (source !== '.') expect({ source, ignored: dockerignore.ignores(source) }).toEqual({ source, ignored: false });
        }
      }
    }
  });

  it('sends the build its inputs and leaves local builds, installs and history out of the context', () => {
    const dockerignore = ignore().add(readRepoFile('.dockerignore'));
    const inputs = [
      'package.json',
      'package-lock.json',
      'scripts/build.mjs',
      'apps/scheduler/src/main.ts',
      'apps/worker/src/main.ts',
      'libs/core/src/index.ts',
      ...(repoFileExists('web/package.json') ? ['web/package.json'] : []),
    ];
    expect(inputs.filter((path) => dockerignore.ignores(path))).toEqual([]);
    const neverSent = [
      'node_modules/jest/package.json',
      'web/node_modules/vite/package.json',
      'dist/apps/scheduler/src/main.js',
      'web/dist/index.html',
      '.git/HEAD',
      '.flowctl/dev/pg/PG_VERSION',
      'coverage/lcov.info',
    ];
    expect(neverSent.filter((path) => !dockerignore.ignores(path))).toEqual([]);
  });

  it('compiles with npm run build and builds the dashboard only when the tree has one', () => {
    const build = stages.find((stage) => instructionsOf(stage, 'RUN').some((run) => /\bnpm run build\b(?!:)/.test(run.text)))!;
    expect(build).toBeDefined();
    const dashboardStep = instructionsOf(build, 'RUN').find((run) => run.text.includes('build:web'));
    expect(dashboardStep?.text).toMatch(/if .*build:web/);
    expect(dashboardStep?.text).toContain('web/package.json');
    // The runtime copies web/dist whether or not a dashboard was built.
    expect(dashboardStep?.text).toContain('mkdir -p web/dist');
  });

  it('ships only package.json, production node_modules, dist/ and the dashboard', () => {
    const copies = instructionsOf(runtime, 'COPY');
    expect(copies.every((copy) => copy.flags.from)).toBe(true);
    expect(copies.map((copy) => posix.normalize(copy.args.at(-1)!)).sort()).toEqual(['dist', 'node_modules', 'package.json', 'web/dist']);
    const nodeModules = copies.find((copy) => posix.normalize(copy.args.at(-1)!) === 'node_modules')!;
    const installsThem = stageNamed(nodeModules.flags.from!)!;
    expect(instructionsOf(installsThem, 'RUN').some((run) => /npm ci\b.*--omit=dev/.test(run.text))).toBe(true);
  });

  it('starts the scheduler by default, from a file the build produces', () => {
    expect(instructionsOf(runtime, 'CMD').at(-1)?.args).toEqual(['node', SCHEDULER_MAIN]);
    expect(repositoryPathOf(SCHEDULER_MAIN)).toBe(SCHEDULER_MAIN);
    expect(repoFileExists(SCHEDULER_MAIN)).toBe(true);
    expect(repositoryPathOf(WORKER_MAIN)).toBe(WORKER_MAIN);
    expect(repoFileExists(WORKER_MAIN)).toBe(true);
  });

  it('runs under tini, as a non-root user, without a HEALTHCHECK of its own', () => {
    const entrypoint = instructionsOf(runtime, 'ENTRYPOINT').at(-1)?.args ?? [];
    expect(posix.basename(entrypoint[0] ?? '')).toBe('tini');
    expect(instructionsOf(runtime, 'RUN').some((run) => /apt-get install .*\btini\b/.test(run.text))).toBe(true);
    const user = instructionsOf(runtime, 'USER').at(-1)?.args[0] ?? 'root';
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(instructionsOf(runtime, 'HEALTHCHECK')).toEqual([]);
  });

  it('points FLOWCTL_WEB_ROOT at the dashboard it copies in', () => {
    const env = instructionsOf(runtime, 'ENV').flatMap((e) => e.args);
    const webRoot = env.find((assignment) => assignment.startsWith('FLOWCTL_WEB_ROOT='))?.split('=')[1];
    expect(webRoot).toBeDefined();
    expect(repositoryPathOf(webRoot!)).toBe('web/dist');
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
}

describe('docker-compose.yml', () => {
  const compose = loadYamlFile('docker-compose.yml') as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const services = Object.entries(compose.services);
  const flowctlServices = services.filter(([, service]) => appOf(service.command));
  const schedulers = services.filter(([, service]) => appOf(service.command) === 'scheduler');
  const workers = services.filter(([, service]) => appOf(service.command) === 'worker');
  const envOf = (service: ComposeService): NodeJS.ProcessEnv =>
    Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value == null ? '' : String(value)]));
  const postgres = compose.services.postgres!;
  const redis = compose.services.redis!;

  it('conforms to the Compose Specification schema', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  it('runs PostgreSQL 16, Redis 7, two schedulers and two workers', () => {
    expect(postgres.image).toMatch(/^postgres:16\b/);
    expect(redis.image).toMatch(/^redis:7\b/);
    expect(schedulers.map(([name]) => name)).toEqual(['scheduler-1', 'scheduler-2']);
    expect(workers.map(([name]) => name)).toEqual(['worker-1', 'worker-2']);
  });

  it('keeps Redis data in an append-only file and never evicts keys', () => {
    const command = (redis.command ?? []).join(' ');
    expect(command).toMatch(/^redis-server\b/);
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    const dataVolume = (redis.volumes ?? []).find((volume) => volume.endsWith(':/data'))?.split(':')[0];
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const dataVolume = (postgres.volumes ?? []).find((volume) => volume.endsWith(':/var/lib/postgresql/data'))?.split(':')[0];
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume);
  });

  it('gives PostgreSQL and Redis healthchecks that their dependents wait for', () => {
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    const waits = services.flatMap(([name, service]) =>
      Object.entries(service.depends_on ?? {})
        .filter(([dependency]) => dependency === 'postgres' || dependency === 'redis')
        .map(([dependency, { condition }]) => ({ name, dependency, condition })),
    );
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.filter((wait) => wait.condition !== 'service_healthy')).toEqual([]);
    for (const [name, service] of schedulers)
      expect({ name, on: Object.keys(service.depends_on ?? {}).sort() }).toEqual({ name, on: ['postgres', 'redis'] });
    for (const [name, service] of workers) expect({ name, on: Object.keys(service.depends_on ?? {}) }).toEqual({ name, on: ['redis'] });
  });

  it('connects the schedulers to the compose PostgreSQL and Redis, with settings the scheduler accepts', () => {
    const credentials = postgres.environment!;
    for (const [name, service] of schedulers) {
      const env = envOf(service);
      const config = loadSchedulerConfig(env);
      const database = new URL(config.databaseUrl);
      expect({ name, host: database.hostname, port: database.port || '5432' }).toEqual({ name, host: 'postgres', port: '5432' });
      expect(decodeURIComponent(database.username)).toBe(credentials.POSTGRES_USER);
      expect(decodeURIComponent(database.password)).toBe(credentials.POSTGRES_PASSWORD);
      expect(database.pathname).toBe(`/${credentials.POSTGRES_DB}`);
      const queues = new URL(config.redisUrl ?? '');
      expect({ name, host: queues.hostname, port: queues.port || '6379' }).toEqual({ name, host: 'redis', port: '6379' });
    }
    const ids = schedulers.map(([, service]) => envOf(service).FLOWCTL_SCHEDULER_ID);
    expect(new Set(ids).size).toBe(schedulers.length);
  });

  it('connects the workers to Redis alone, with settings the worker accepts, serving every built-in type the examples use', () => {
    const served = new Set<string>();
    for (const [name, service] of workers) {
      const env = envOf(service);
      expect({ name, databaseUrl: env.DATABASE_URL }).toEqual({ name, databaseUrl: undefined });
      const config = loadWorkerConfig(env);
      expect(new URL(config.redisUrl ?? '').hostname).toBe('redis');
      Object.keys(config.types).forEach((type) => served.add(type));
    }
    expect([...builtInTypesUsedByExamples()].filter((type) => !served.has(type))).toEqual([]);
    const prefixes = flowctlServices.map(([, service]) => envOf(service).FLOWCTL_QUEUE_PREFIX ?? 'flowctl');
    expect(new Set(prefixes).size).toBe(1);
  });

  it('builds every flowctl service from deployments/Dockerfile into one image', () => {
    const images = new Set(flowctlServices.map(([, service]) => service.image));
    expect(images.size).toBe(1);
    for (const [name, service] of flowctlServices) {
      expect({ name, build: service.build }).toEqual({ name, build: { context: '.', dockerfile: 'deployments/Dockerfile' } });
      const main = service.command!.find((part) => part.endsWith('main.js'))!;
      expect({ name, main, built: repoFileExists(main) }).toEqual({ name, main, built: true });
    }
  });

  it('restarts every service and gives workers longer to stop than their drain', () => {
    expect(services.filter(([, service]) => !service.restart || service.restart === 'no').map(([name]) => name)).toEqual([]);
    for (const [name, service] of workers) {
      const grace = parseDuration(service.stop_grace_period ?? '10s') ?? 0;
      const drainMs = loadWorkerConfig(envOf(service)).shutdownGraceMs;
      expect({ name, longerThanDrain: grace > drainMs }).toEqual({ name, longerThanDrain: true });
    }
  });

  it('publishes scheduler-1, API and dashboard, on localhost:8080', () => {
    const scheduler1 = compose.services['scheduler-1']!;
    const config = loadSchedulerConfig(envOf(scheduler1));
    expect(scheduler1.ports).toContain(`127.0.0.1:8080:${config.port}`);
    // The dashboard is the build the image carries (see the Dockerfile's FLOWCTL_WEB_ROOT).
    for (const [, service] of schedulers) expect(loadSchedulerConfig(envOf(service)).webRoot).toBe('/app/web/dist');
  });

  describe('scheduler healthcheck', () => {
    let server: Server;
    let ready = true;
    let port = 0;

    beforeAll(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url === READYZ && ready ? 200 : 503;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** Runs a scheduler's healthcheck as Docker would, aimed at this test's stand-in scheduler; its exit code. */
    async function runHealthcheck(service: ComposeService, targetPort: number): Promise<number> {
      const [form, binary, ...args] = service.healthcheck!.test;
      expect({ form, binary }).toEqual({ form: 'CMD', binary: 'node' });
      const schedulerPort = loadSchedulerConfig(envOf(service)).port;
      const retargeted = args.map((arg) => arg.replace(`127.0.0.1:${schedulerPort}`, `127.0.0.1:${targetPort}`));
      try {
        await runFile(process.execPath, retargeted, { timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    }

    it('asks the scheduler port for readiness with node, since the slim image has no curl', () => {
      for (const [, service] of schedulers) {
        const port = loadSchedulerConfig(envOf(service)).port;
        expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}${READYZ}`);
      }
    });

    it('passes while the scheduler is ready and fails while it is not or does not answer', async () => {
      const [, service] = schedulers[0]!;
      ready = true;
      expect(await runHealthcheck(service, port)).toBe(0);
      ready = false;
      expect(await runHealthcheck(service, port)).toBe(1);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await runHealthcheck(service, closedPort)).toBe(1);
    });
  });
});

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Deployment extends KubernetesObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: {
      metadata: { labels?: Record<string, string> };
      spec: {
        containers: Container[];
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
      };
    };
  };
}

describe('deployments/kubernetes', () => {
  const files = repoFilesIn('deployments/kubernetes', '.yaml').filter((file) => !file.endsWith('/kustomization.yaml'));
  const documents: ManifestDocument[] = files.flatMap((file) =>
    loadYamlDocuments(file).map((object, index) => ({ source: `${file}#${index}`, object: object as KubernetesObject })),
  );
  const objects = documents.map((document) => document.object);
  const ofKind = <T extends KubernetesObject>(kind: string) => objects.filter((object): object is T => object.kind === kind);
  const deployments = ofKind<Deployment>('Deployment');
  const containersOf = (deployment: Deployment) => deployment.spec.template.spec.containers;
  const deploymentOf = (app: 'scheduler' | 'worker') => {
    const found = deployments.filter((deployment) => containersOf(deployment).some((container) => appOf(container.command) === app));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const configMaps = ofKind<KubernetesObject & { data?: Record<string, string> }>('ConfigMap');
  const secrets = ofKind<KubernetesObject & { stringData?: Record<string, string> }>('Secret');

  /** The environment a container gets from its ConfigMaps, Secrets (the example's values) and own entries. */
  function environmentOf(container: Container): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) Object.assign(env, configMaps.find((c) => c.metadata.name === source.configMapRef!.name)?.data);
      if (source.secretRef) Object.assign(env, secrets.find((s) => s.metadata.name === source.secretRef!.name)?.stringData);
    }
    for (const entry of container.env ?? []) {
      const secretRef = entry.valueFrom?.secretKeyRef;
      const configMapRef = entry.valueFrom?.configMapKeyRef;
      if (entry.value !== undefined) env[entry.name] = entry.value;
      else if (secretRef) env[entry.name] = secrets.find((s) => s.metadata.name === secretRef.name)?.stringData?.[secretRef.key];
      else if (configMapRef) env[entry.name] = configMaps.find((c) => c.metadata.name === configMapRef.name)?.data?.[configMapRef.key];
      else env[entry.name] = 'from-the-downward-api';
    }
    return env;
  }

  it('parses every document, each with apiVersion, kind and a name', () => {
    expect(documents.length).toBeGreaterThan(0);
    for (const { source, object } of documents) {
      expect({ source, apiVersion: typeof object.apiVersion, kind: typeof object.kind, name: typeof object.metadata?.name }).toEqual({
        source,
        apiVersion: 'string',
        kind: 'string',
        name: 'string',
      });
    }
  });

  it('conforms to the Kubernetes API schemas', () => {
    expect(documents.flatMap(kubernetesSchemaErrors)).toEqual([]);
  });

  it('uses no field the Kubernetes API does not know', () => {
    expect(unknownKubernetesFields(documents)).toEqual([]);
  });

  it('puts everything in the flowctl namespace, and kustomization.yaml lists every manifest but the Secret example', () => {
    const namespace = ofKind('Namespace')[0]?.metadata.name;
    expect(namespace).toBe('flowctl');
    expect(
      objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespace).map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    const kustomization = loadYamlFile('deployments/kubernetes/kustomization.yaml') as { resources: string[] };
    const expected = files.filter((file) => !file.endsWith('.example.yaml')).map((file) => posix.basename(file));
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
  });

  it('selects with every Deployment the labels of its own pods', () => {
    for (const deployment of deployments) {
      expect({
        name: deployment.metadata.name,
        matches: isSubset(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      }).toEqual({
        name: deployment.metadata.name,
        matches: true,
      });
    }
    const selectors = deployments.map((deployment) => JSON.stringify(deployment.spec.selector.matchLabels));
    expect(new Set(selectors).size).toBe(deployments.length);
  });

  it('runs two schedulers that a PodDisruptionBudget keeps from both going', () => {
    const scheduler = deploymentOf('scheduler');
    expect(scheduler.spec.replicas).toBe(2);
    const budgets = ofKind<KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number } }>(
      'PodDisruptionBudget',
    ).filter((budget) => isSubset(budget.spec.selector.matchLabels, scheduler.spec.template.metadata.labels));
    expect(budgets).toHaveLength(1);
    expect(budgets[0]!.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(budgets[0]!.spec.minAvailable).toBeLessThan(2);
  });

  it('probes the scheduler for liveness on /healthz and readiness on /readyz, on the port it listens on', () => {
    const [container] = containersOf(deploymentOf('scheduler'));
    const config = loadSchedulerConfig(environmentOf(container!));
    const portOf = (probe: Probe | undefined) => {
      const port = probe?.httpGet?.port;
      return typeof port === 'number' ? port : container!.ports?.find((p) => p.name === port)?.containerPort;
    };
    expect(container!.livenessProbe?.httpGet?.path).toBe(HEALTHZ);
    expect(container!.startupProbe?.httpGet?.path).toBe(HEALTHZ);
    expect(container!.readinessProbe?.httpGet?.path).toBe(READYZ);
    for (const probe of [container!.livenessProbe, container!.readinessProbe, container!.startupProbe])
      expect(portOf(probe)).toBe(config.port);
  });

  it('serves the schedulers through a Service that selects them on their named port', () => {
    const scheduler = deploymentOf('scheduler');
    const services = ofKind<KubernetesObject & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } }>(
      'Service',
    );
    const service = services.find((s) => isSubset(s.spec.selector, scheduler.spec.template.metadata.labels));
    expect(service).toBeDefined();
    const portNames = containersOf(scheduler).flatMap((c) => (c.ports ?? []).map((p) => p.name));
    for (const port of service!.spec.ports) expect(portNames).toContain(port.targetPort);
  });

  it('gives the apps settings they accept, and the workers no database credentials', () => {
    for (const container of containersOf(deploymentOf('scheduler')))
      expect(() => loadSchedulerConfig(environmentOf(container))).not.toThrow();
    for (const container of containersOf(deploymentOf('worker'))) {
      const env = environmentOf(container);
      expect(env.DATABASE_URL).toBeUndefined();
      expect(loadWorkerConfig(env).redisUrl).toMatch(/^rediss?:\/\//);
    }
  });

  it('refers only to ConfigMaps, Secrets and keys that the manifests define', () => {
    for (const deployment of deployments) {
      for (const container of containersOf(deployment)) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) expect(configMaps.map((c) => c.metadata.name)).toContain(source.configMapRef.name);
          if (source.secretRef) expect(secrets.map((s) => s.metadata.name)).toContain(source.secretRef.name);
        }
        for (const entry of container.env ?? []) {
          const ref = entry.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(secrets.find((s) => s.metadata.name === ref.name)?.stringData ?? {})).toContain(ref.key);
        }
      }
    }
  });

  it('runs the image non-root with the entry points the build produces, resources and time to stop', () => {
    const dockerUser = readDockerfile('deployments/Dockerfile')
      .stages.at(-1)!
      .instructions.filter((i) => i.keyword === 'USER')
      .at(-1)?.args[0];
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(String(pod.securityContext?.runAsUser)).toBe(dockerUser?.split(':')[0]);
      expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(WORKER_DRAIN_MS);
      for (const container of pod.containers) {
        const main = container.command?.find((part) => part.endsWith('main.js'));
        expect({ main, built: main !== undefined && repoFileExists(main) }).toEqual({ main, built: true });
        expect(container.resources?.requests?.cpu).toBeDefined();
        expect(container.resources?.requests?.memory).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      }
    }
    expect(new Set(deployments.flatMap((d) => containersOf(d).map((c) => c.image))).size).toBe(1);
  });
});
