/**
 * Prints a citizen identity token of the mock VNeID, accepted by the embedded default:
 *   npx tsx scripts/citizen-token.ts <citizen id> [--level 1|2] [--ttl SECONDS]
 * Only the token goes to standard output. Exit codes: 0 printed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { IDENTIFIERS } from '../src/identifiers';
import { issueCitizenToken, type AssuranceLevel } from '../mocks/vneid/issuer';

const USAGE = 'Usage: npx tsx scripts/citizen-token.ts <citizen id> [--level 1|2] [--ttl SECONDS]';

function fail(message: string): never {
  process.stderr.write(`citizen-token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { level: { type: 'string' }, ttl: { type: 'string' } },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (positionals.length !== 1) fail('expected exactly one citizen id');
  const citizenId = positionals[0];
  if (!IDENTIFIERS.citizenId.pattern.test(citizenId)) {
    fail(`"${citizenId}" is not ${IDENTIFIERS.citizenId.expected}`);
  }
  const level = values.level === undefined ? 2 : Number(values.level);
  if (level !== 1 && level !== 2) fail(`--level must be 1 or 2, got "${values.level}"`);
  const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    fail(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  }
  const token = await issueCitizenToken(citizenId, { level: level as AssuranceLevel, ttlSeconds });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`citizen-token: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
