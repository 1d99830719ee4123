/**
 * The embedded default: what `npm start` on a fresh clone runs when no national database is
 * configured. This is the only production file that reaches into mocks/: it seeds the embedded
 * PostgreSQL with the synthetic data set, serves the insurance agency's stand-in over it, and
 * trusts the mock VNeID's public key. It is loaded only when the embedded default is in use.
 */
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import type { LocalService } from '../adapters';
import type { Connections } from '../adapters/connections';
import { sampleIdentifiers, seedNationalDatabases } from '../mocks/generator';
import { createInsuranceService } from '../mocks/insurance-service/service';
import {
  issueCitizenToken,
  MOCK_VNEID_ISSUER,
  MOCK_VNEID_PUBLIC_KEY_PEM,
} from '../mocks/vneid/issuer';
import type { Config } from './config';
import type { Logger } from './logger';
import type { DemoSignIn } from './pages';
import { mocksFingerprint } from './paths';

/** The stand-ins the embedded default runs beside the gateway. */
export interface EmbeddedWiring {
  /** Fills a new embedded database; `key` names the data set, so a snapshot of it is reused. */
  data: { key: string; fill: (connections: Connections) => Promise<void> };
  startInsuranceService(insuranceDb: Knex): Promise<LocalService>;
  /** The mock VNeID, whose citizen identity tokens `mocks:citizen-token` mints. */
  vneid: { publicKeyPem: string; issuer: string };
  /** The citizen page's demo sign-in: sample citizens, signed in through the mock VNeID. */
  demoSignIn: DemoSignIn;
}

/** The embedded default's wiring for this configuration. */
export function embeddedWiring(config: Config, logger: Logger): EmbeddedWiring {
  return {
    data: {
      key: `demo-${mocksFingerprint()}-seed${config.dataSeed}-citizens${config.embeddedCitizens}`,
      fill: async (connections) => {
        logger.info(
          { citizens: config.embeddedCitizens, seed: config.dataSeed },
          'seeding the embedded database',
        );
        await seedNationalDatabases((name) => connections.knexFor(name), {
          citizens: config.embeddedCitizens,
          seed: config.dataSeed,
        });
      },
    },
    startInsuranceService: (insuranceDb) => startMockInsuranceService(insuranceDb),
    vneid: { publicKeyPem: MOCK_VNEID_PUBLIC_KEY_PEM, issuer: MOCK_VNEID_ISSUER },
    demoSignIn: {
      citizens: sampleIdentifiers({
        citizens: config.embeddedCitizens,
        seed: config.dataSeed,
      }).citizens.slice(0, 6),
      token: (citizenId) => issueCitizenToken(citizenId),
    },
  };
}

/** Serves the insurance agency's stand-in on a loopback port of its own. */
export function startMockInsuranceService(insuranceDb: Knex): Promise<LocalService> {
  const server = createInsuranceService(insuranceDb);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
