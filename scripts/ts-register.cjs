// Lets `node -r ./scripts/ts-register.cjs some.ts` run TypeScript from this repository (test/ helpers
// and scripts), compiled on load by SWC with the same options as scripts/build.mjs. For tools, not production.
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const paths = {
  '@flowctl/core': ['libs/core/src'],
  '@flowctl/persistence': ['libs/persistence/src'],
  '@flowctl/queue': ['libs/queue/src'],
  '@flowctl/worker-sdk': ['libs/worker-sdk/src'],
  '@flowctl/observability': ['libs/observability/src'],
};

require.extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      baseUrl: root,
      paths,
    },
  });
  module._compile(code, filename);
};
