/**
 * The files `flowctl init` writes: a workflow using a TypeScript task type and a Python one,
 * both workers, flowctl.yaml (which workers `flowctl dev` starts) and a README with the commands.
 */

/** package.json of the starter; merged into one that exists already (nothing overwritten). */
export function starterManifest(name: string, version: string) {
  return {
    name,
    version: '0.1.0',
    private: true,
    scripts: {
      dev: 'flowctl dev',
      build: 'tsc',
      worker: 'tsc && node dist/greet.js',
    },
    dependencies: {
      flowctl: `^${version}`,
      '@flowctl/worker': `^${version}`,
    },
    devDependencies: {
      '@types/node': '^20.19.0',
      typescript: '^6.0.3',
    },
  };
}

const HELLO_WORKFLOW = `# Two task types of your own: ts-greet (workers/greet.ts) and py-square (workers/worker.py).
#   npx flowctl run hello --input who=you --wait
apiVersion: flowctl/v1
kind: Workflow
metadata:
  name: hello
spec:
  inputs:
    who: { type: string, default: world }
  tasks:
    - name: greet
      type: ts-greet
      retry: { maxAttempts: 3 }
      with: { who: "{{ inputs.who }}" }
    - name: square
      type: py-square
      dependsOn: [greet]
      with: { n: 7 }
    - name: report
      type: noop
      dependsOn: [greet, square]
      with:
        greeting: "{{ tasks.greet.output.greeting }}"
        squared: "{{ tasks.square.output.value }}"
`;

const TS_WORKER = `// The ts-greet task type. \`flowctl dev\` starts this worker (see flowctl.yaml) with the
// connection settings in its environment: DATABASE_URL (and REDIS_URL when the queues are on Redis).
import { TaskRunner, defineHandler, NonRetryableError } from '@flowctl/worker';

interface GreetInput {
  who: string;
}

export const greet = defineHandler<GreetInput, { greeting: string }>(async (input, ctx) => {
  if (typeof input.who !== 'string' || input.who === '') throw new NonRetryableError('who must be a non-empty string');
  ctx.heartbeat({ step: 'greeting' });
  ctx.logger.info('greeting', { who: input.who, attempt: ctx.attempt });
  return { greeting: \`hello, \${input.who}\` };
});

const runner = new TaskRunner({
  transport: {
    redisUrl: process.env.REDIS_URL || undefined,
    postgresUrl: process.env.DATABASE_URL,
    prefix: process.env.FLOWCTL_QUEUE_PREFIX ?? 'flowctl',
  },
  handlers: { 'ts-greet': greet },
  concurrency: 4,
});

runner.start().then(() => console.log(\`ts-greet worker \${runner.workerId} started\`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Finish (or hand back) the running tasks, then exit.
  process.once(signal, () => void runner.stop().then(() => process.exit(0)));
}
`;

const PY_WORKER = `"""The py-square task type. \`flowctl dev\` starts this worker (see flowctl.yaml) with FLOWCTL_SERVER set."""
import sys

try:
    from flowctl_worker import NonRetryableError, Worker
except ImportError:
    sys.exit("flowctl_worker is not installed: pip install ./node_modules/flowctl/sdks/python (see README.md)")

worker = Worker(concurrency=4)  # FLOWCTL_SERVER and FLOWCTL_TOKEN from the environment


@worker.task("py-square")
def square(input, ctx):
    n = input.get("n")
    if not isinstance(n, (int, float)):
        raise NonRetryableError("n must be a number")
    ctx.log.info("squaring %s (attempt %s)", n, ctx.attempt)
    return {"value": n**2}


if __name__ == "__main__":
    worker.run()
`;

const PROJECT_FILE = `# \`flowctl dev\` starts these workers (output prefixed with the name) and stops them on Ctrl-C.
# \`flowctl dev --worker "COMMAND"\` runs the given commands instead.
workers:
  - name: ts
    command: npm run --silent worker
  - name: py
    command: python3 workers/worker.py
`;

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "strict": true,
    "skipLibCheck": true,
    "types": ["node"],
    "rootDir": "workers",
    "outDir": "dist"
  },
  "include": ["workers/*.ts"]
}
`;

const GITIGNORE = `node_modules/
dist/
.flowctl/
`;

const readme = (dir: string) => `# My flowctl workflows

\`workflows/hello.yaml\` runs two task types of this project: \`ts-greet\` (TypeScript,
\`workers/greet.ts\`) and \`py-square\` (Python, \`workers/worker.py\`).

## Run it

\`\`\`sh
${dir === '.' ? '' : `cd ${dir}\n`}npm install                           # flowctl, @flowctl/worker, TypeScript
pip install ./node_modules/flowctl/sdks/python   # the Python SDK (flowctl_worker); standard library only, no index needed
npx flowctl dev                       # PostgreSQL, scheduler, dashboard, and the workers in flowctl.yaml
\`\`\`

\`flowctl dev\` prints the dashboard's URL. In another terminal:

\`\`\`sh
npx flowctl run hello --input who=you --wait
npx flowctl get runs
\`\`\`

Edit a file in \`workflows/\` and \`flowctl dev\` applies it again (a file with an error is
reported and the previous version stays). Ctrl-C stops everything; the data stays in
\`.flowctl/dev\` for the next start.

## Workers

\`flowctl.yaml\` lists the commands \`flowctl dev\` starts. Instead, name them on the command line:

\`\`\`sh
npx flowctl dev --worker "npm run --silent worker" --worker "python3 workers/worker.py"
\`\`\`

Without Python, start only the TypeScript worker (\`--worker "npm run --silent worker"\`); the
\`square\` task then waits in its queue until a \`py-square\` worker runs.

Each worker gets \`FLOWCTL_SERVER\` (the API) and the queue settings (\`DATABASE_URL\`, \`REDIS_URL\`) in
its environment.
`;

/** Path (relative to the project folder) -> content. */
export function starterFiles(dir: string): Record<string, string> {
  return {
    'workflows/hello.yaml': HELLO_WORKFLOW,
    'workers/greet.ts': TS_WORKER,
    'workers/worker.py': PY_WORKER,
    'flowctl.yaml': PROJECT_FILE,
    'tsconfig.json': TSCONFIG,
    '.gitignore': GITIGNORE,
    'README.md': readme(dir),
  };
}
