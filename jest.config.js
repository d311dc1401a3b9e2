// Two projects: `unit` runs pure specs beside the code; `integration` drives real
// PostgreSQL, Redis and the built apps from test/ (each file its own database and queue prefix).
const { LIBRARIES, PACKAGE_ALIASES, jsc } = require('./scripts/swc-options.cjs');

const swc = ['@swc/jest', { jsc, module: { type: 'commonjs' } }];
const moduleNameMapper = {
  [`^@flowctl/(${LIBRARIES.join('|')})$`]: '<rootDir>/libs/$1/src',
  ...Object.fromEntries(Object.entries(PACKAGE_ALIASES).map(([name, dir]) => [`^${name}$`, `<rootDir>/${dir}`])),
};

module.exports = {
  // Integration tests start real processes; jest reads the timeout only at the top level, not per project.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/bench'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
