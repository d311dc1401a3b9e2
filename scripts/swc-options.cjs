// The one place that says how this repository's TypeScript is compiled (SWC) and where the
// `@flowctl/*` libraries live: the build, `ts-register.cjs` and jest all take it from here.
// (tsconfig.json repeats the aliases for the type checker, which cannot read this file.)
const { join } = require('node:path');

const root = join(__dirname, '..');
const LIBRARIES = ['core', 'persistence', 'queue', 'worker-sdk', 'observability', 'api-contract', 'egress'];

/** The npm package `@flowctl/worker` is libs/worker-sdk: code in this repository (examples/) imports it as a user would. */
const PACKAGE_ALIASES = { '@flowctl/worker': 'libs/worker-sdk/src' };

/** `@flowctl/NAME` -> `libs/NAME/src`, in SWC's `paths` form. */
const paths = {
  ...Object.fromEntries(LIBRARIES.map((name) => [`@flowctl/${name}`, [`libs/${name}/src`]])),
  ...Object.fromEntries(Object.entries(PACKAGE_ALIASES).map(([name, dir]) => [name, [dir]])),
};

const jsc = {
  target: 'es2022',
  parser: { syntax: 'typescript', decorators: true },
  transform: { legacyDecorator: true, decoratorMetadata: true },
  keepClassNames: true,
};

/** Options for one file, aliases rewritten to relative paths (for code that runs outside jest). */
const swcOptions = (filename, sourceMaps) => ({
  filename,
  sourceMaps,
  module: { type: 'commonjs' },
  jsc: { ...jsc, baseUrl: root, paths },
});

module.exports = { LIBRARIES, PACKAGE_ALIASES, jsc, swcOptions };
