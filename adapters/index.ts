import type { Knex } from 'knex';
import { NATIONAL_DATABASES, type DatabaseName } from './databases';
import { openConnections, type ConnectionOptions, type Connections } from './connections';
import { SqlSource } from './source';
import { PopulationAdapter } from './population';
import { EnterpriseAdapter } from './enterprise';
import { LandAdapter } from './land';
import { InsuranceAdapter } from './insurance';
import { CivilServiceAdapter } from './civil-service';
import { ReferenceAdapter } from './reference';
import { FinanceAdapter } from './finance';

/** The one interface per national database that resolvers reach data through. */
export interface Adapters {
  population: PopulationAdapter;
  enterprise: EnterpriseAdapter;
  land: LandAdapter;
  insurance: InsuranceAdapter;
  civilService: CivilServiceAdapter;
  reference: ReferenceAdapter;
  finance: FinanceAdapter;
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

/** A service started beside the gateway (the embedded default's stand-in for an agency). */
export interface LocalService {
  url: string;
  close(): Promise<void>;
}

export interface SourceOptions extends ConnectionOptions {
  /** The social insurance agency's service. */
  insuranceServiceUrl?: string;
  /** Starts a stand-in for the insurance service over its database when no URL is given. */
  startInsuranceService?: (insuranceDb: Knex) => Promise<LocalService>;
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
      if (!options.startInsuranceService) {
        throw new Error(
          'INSURANCE_SERVICE_URL is required: the social insurance agency is reached over HTTP',
        );
      }
      const service = await options.startInsuranceService(connections.knexFor('insurance'));
      insuranceUrl = service.url;
      closers.push(() => service.close());
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
      finance: new FinanceAdapter(sql.finance),
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
