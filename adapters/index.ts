import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { NATIONAL_DATABASES, type DatabaseName } from '../mocks/databases';
import { createInsuranceService } from '../mocks/insurance-service/service';
import { openConnections, type ConnectionOptions, type Connections } from './connections';
import { SqlSource } from './source';
import { PopulationAdapter } from './population';
import { EnterpriseAdapter } from './enterprise';
import { LandAdapter } from './land';
import { InsuranceAdapter } from './insurance';
import { CivilServiceAdapter } from './civil-service';
import { ReferenceAdapter } from './reference';

/** The one interface per national database that resolvers reach data through. */
export interface Adapters {
  population: PopulationAdapter;
  enterprise: EnterpriseAdapter;
  land: LandAdapter;
  insurance: InsuranceAdapter;
  civilService: CivilServiceAdapter;
  reference: ReferenceAdapter;
}

export type SourceState = 'up' | 'down';

/** The adapters with the connections behind them, and what it takes to check and close them. */
export interface NationalSources {
  adapters: Adapters;
  connections: Connections;
  /** Each national database's state, as /readyz reports it. */
  readiness(): Promise<Record<DatabaseName, SourceState>>;
  close(): Promise<void>;
}

export interface SourceOptions extends ConnectionOptions {
  /** The insurance agency's service; an in-process mock over the insurance database when unset. */
  insuranceServiceUrl?: string;
}

/** Connects to every national database (and the insurance service) and builds their adapters. */
export async function openNationalSources(options: SourceOptions): Promise<NationalSources> {
  const connections = await openConnections(options);
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const sql = Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [
        name,
        new SqlSource(name, connections.knexFor(name), options.sourceTimeoutMs),
      ]),
    ) as Record<DatabaseName, SqlSource>;

    let insuranceUrl = options.insuranceServiceUrl;
    if (!insuranceUrl) {
      const service = await listen(createInsuranceService(connections.knexFor('insurance')));
      insuranceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
      closers.push(() => new Promise((resolve) => service.close(resolve)));
    }
    const insurance = new InsuranceAdapter(
      insuranceUrl,
      options.sourceTimeoutMs,
      options.poolSize * 2,
    );
    closers.unshift(() => insurance.close());

    const adapters: Adapters = {
      population: new PopulationAdapter(sql.population),
      enterprise: new EnterpriseAdapter(sql.enterprise),
      land: new LandAdapter(sql.land),
      insurance,
      civilService: new CivilServiceAdapter(sql.civil_service),
      reference: new ReferenceAdapter(sql.reference),
    };

    return {
      adapters,
      connections,
      async readiness() {
        const checks = NATIONAL_DATABASES.map((name) =>
          (name === 'insurance' ? insurance.ping() : sql[name].ping()).then(
            (): SourceState => 'up',
            (): SourceState => 'down',
          ),
        );
        const states = await Promise.all(checks);
        return Object.fromEntries(NATIONAL_DATABASES.map((name, i) => [name, states[i]])) as Record<
          DatabaseName,
          SourceState
        >;
      },
      async close() {
        for (const close of closers) await close();
        await connections.close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    await connections.close().catch(() => undefined);
    throw error;
  }
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
