/**
 * Prints identifiers that exist in the embedded default data set, as one JSON object:
 *
 *   npm run --silent mocks:sample
 *
 * The generator is deterministic, so no database is needed: EMBEDDED_CITIZENS (default 3000)
 * and DATA_SEED (default 2025) select the same data set as the gateway's embedded database.
 */
import { sampleIdentifiers } from './generator';

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

try {
  const samples = sampleIdentifiers({
    citizens: integerFromEnv('EMBEDDED_CITIZENS', 3000),
    seed: integerFromEnv('DATA_SEED', 2025),
  });
  process.stdout.write(`${JSON.stringify(samples)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
