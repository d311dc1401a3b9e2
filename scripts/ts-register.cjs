// Lets `node -r ./scripts/ts-register.cjs some.ts` run TypeScript from this repository (test/ helpers
// and scripts), compiled on load by SWC with the same options as scripts/build.mjs. For tools, not production.
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const { swcOptions } = require('./swc-options.cjs');

require.extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), swcOptions(filename, 'inline'));
  module._compile(code, filename);
};
