/** Tests run in process against the embedded database, or real PostgreSQL with TEST_DATABASE_URL. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `*.pg.test.ts` need a PostgreSQL server reachable over the wire (a command line in its own process).
  testPathIgnorePatterns: process.env.TEST_DATABASE_URL
    ? ['/node_modules/']
    : ['/node_modules/', '\\.pg\\.test\\.ts$'],
  // Type checking is `npm run typecheck`'s job; the tests only need the code transpiled.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
