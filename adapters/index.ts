import type { Knex } from 'knex';
import pino from 'pino';
import { NATIONAL_DATABASES, type DatabaseName } from './databases';
import { openConnections, type ConnectionOptions, type Connections } from './connections';
import { Deadline, SourceGuard, sourceSettings, type CircuitName } from './protection';
import { SqlSource } from './source';
import { PopulationAdapter } from './population';
import { EnterpriseAdapter } from './enterprise';
import { LandAdapter } from './land';
import { InsuranceAdapter, InsuranceClient } from './insurance';
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
  /** A new deadline for one request's reads, with the configured budget. */
  startDeadline(): Deadline;
  /** The same adapters with every read bound to `deadline`. */
  within(deadline: Deadline): Adapters;
}

export type SourceState = 'up' | 'down';

/** What /readyz asks of one source: a probe that bypasses the breaker, and the breaker's state. */
export interface SourceCheck {
  ping(signal: AbortSignal): Promise<void>;
  circuit(): CircuitName;
}

/** The adapters with the connections behind them, and what it takes to check and close them. */
export interface NationalSources {
  adapters: Adapters;
  connections: Connections;
  /** Each national database's probe and circuit, for /readyz. */
  checks: Record<DatabaseName, SourceCheck>;
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
  /** The budget of one request's reads of national databases; `sourceTimeoutMs` when unset. */
  requestDeadlineMs?: number;
}

/** Connects to every national database (and the insurance service) and builds their adapters. */
export async function openNationalSources(options: SourceOptions): Promise<NationalSources> {
  const logger = (options.logger ?? pino({ level: options.logLevel ?? 'info' })).child({
    component: 'sources',
  });
  const connections = await openConnections({ ...options, logger });
  const closers: (() => Promise<unknown>)[] = [];
  const deadlineMs = options.requestDeadlineMs ?? options.sourceTimeoutMs;
  try {
    const guards = Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [
        name,
        new SourceGuard(name, sourceSettings(name, options, options.sources?.[name]), (circuit) =>
          logger[circuit === 'closed' ? 'info' : 'warn'](
            { source: name, circuit },
            `circuit ${circuit}`,
          ),
        ),
      ]),
    ) as Record<DatabaseName, SourceGuard>;
    const sql = Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [
        name,
        new SqlSource(name, connections.knexFor(name), guards[name], deadlineMs),
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
    const insuranceClient = new InsuranceClient(insuranceUrl, guards.insurance);
    closers.unshift(() => insuranceClient.close());
    const insurance = new InsuranceAdapter(insuranceClient, deadlineMs);

    const build = (deadline?: Deadline): Adapters => {
      const read = (name: DatabaseName) => (deadline ? sql[name].within(deadline) : sql[name]);
      return {
        population: new PopulationAdapter(read('population')),
        enterprise: new EnterpriseAdapter(read('enterprise')),
        land: new LandAdapter(read('land')),
        insurance: deadline ? insurance.within(deadline) : insurance,
        civilService: new CivilServiceAdapter(read('civil_service')),
        reference: new ReferenceAdapter(read('reference')),
        finance: new FinanceAdapter(read('finance')),
        startDeadline: () => new Deadline(deadlineMs),
        within: (bound) => build(bound),
      };
    };

    const checks = Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [
        name,
        {
          ping: (signal: AbortSignal) =>
            name === 'insurance' ? insuranceClient.ping(signal) : sql[name].ping(signal),
          circuit: () => guards[name].circuit,
        },
      ]),
    ) as Record<DatabaseName, SourceCheck>;

    return {
      adapters: build(),
      connections,
      checks,
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

/**
 * The public catalogue of administrative units alone, for a process that holds no national
 * database (the federated gateway, whose own module names provinces): every other adapter is
 * absent, and a resolver that reached one would be a wiring error.
 */
export function referenceOnlyAdapters(
  connections: Connections,
  options: Pick<SourceOptions, 'sourceTimeoutMs' | 'sources' | 'poolSize'>,
): Adapters {
  const guard = new SourceGuard(
    'reference',
    sourceSettings('reference', options, options.sources?.reference),
  );
  const sql = new SqlSource(
    'reference',
    connections.knexFor('reference'),
    guard,
    options.sourceTimeoutMs,
  );
  const build = (deadline?: Deadline): Adapters =>
    ({
      reference: new ReferenceAdapter(deadline ? sql.within(deadline) : sql),
      startDeadline: () => new Deadline(options.sourceTimeoutMs),
      within: (bound: Deadline) => build(bound),
    }) as unknown as Adapters;
  return build();
}
