/**
 * The fault suite (`npm run test:faults`): real processes (gateway, insurance service) on real
 * PostgreSQL with faults injected. Not part of `npm test`: it needs TEST_DATABASE_URL.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  globalSetup: '<rootDir>/test/faults/support/setup.ts',
  // One scenario at a time: the figures they assert are timings.
  maxWorkers: 1,
  testTimeout: 120000,
};
