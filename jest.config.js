/** Tests run in process against the embedded database, or real PostgreSQL with TEST_DATABASE_URL. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `*.pg.test.ts` need a PostgreSQL server reachable over the wire (a command line in its own process).
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.TEST_DATABASE_URL ? [] : ['\\.pg\\.test\\.ts$']),
    // TOPOLOGY=federated runs the integration suite through the federated gateway; these files
    // test one topology's parts directly (federation.test.ts starts and compares both itself).
    ...(process.env.TOPOLOGY === 'federated'
      ? [
          'test/federation\\.test\\.ts$',
          'test/federation-compose\\.test\\.ts$',
          'test/subgraph\\.test\\.ts$',
          'test/witness-embedded\\.test\\.ts$',
          'test/witness\\.test\\.ts$',
          'test/generator\\.test\\.ts$',
          'test/access-store\\.test\\.ts$',
          'test/audit\\.test\\.ts$',
          // Faults injected into the single process's own sources and pools; the federated
          // counterpart (a killed subgraph) is in federation.test.ts.
          'test/resilience\\.test\\.ts$',
        ]
      : []),
  ],
  // Type checking is `npm run typecheck`'s job; the tests only need the code transpiled.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // The federated run's test files share one set of subgraph processes, whose call counts the
  // tests read: one file at a time, so that no other file's calls are counted.
  maxWorkers: process.env.TOPOLOGY === 'federated' ? 1 : 2,
};
