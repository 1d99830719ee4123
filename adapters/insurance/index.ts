import { Pool } from 'undici';
import { distinct } from '../batch';
import { Deadline, type CallBudget, type SourceGuard } from '../protection';
import { sourceCalls } from '../source';

/** A social insurance record, as the agency's service returns it. */
export interface InsuranceRecordRow {
  socialInsuranceNumber: string;
  citizenId: string;
  registeredOn: string;
  status: string;
  updatedAt: string;
}

export interface ContributionRow {
  socialInsuranceNumber: string;
  employerCode: string;
  fromMonth: string;
  toMonth: string | null;
  monthlySalary: number;
  scheme: string;
  updatedAt: string;
}

export interface HealthCardRow {
  number: string;
  socialInsuranceNumber: string;
  beneficiaryGroup: string;
  benefitLevel: number;
  provinceCode: string;
  registeredFacility: string;
  validFrom: string;
  validTo: string;
  updatedAt: string;
}

/** The records an insurance record links to, which a lookup of records can embed. */
export type InsuranceLink = 'contributions' | 'healthCards';

/** A record with the linked records a lookup asked to embed. */
export type InsuranceRecordWithLinks = InsuranceRecordRow & {
  contributions?: ContributionRow[];
  healthCards?: HealthCardRow[];
};

/** One call of the batch endpoint: an operation, its keys, and what to embed in each record. */
export interface LookupRequest {
  op: string;
  keys: readonly string[];
  include?: readonly InsuranceLink[];
}

/** The agency's service as the process holds it: one connection pool, one guard. */
export class InsuranceClient {
  readonly pool: Pool;

  constructor(
    baseUrl: string,
    readonly guard: SourceGuard,
  ) {
    // As many connections as the bulkhead admits calls, so no call waits inside undici.
    this.pool = new Pool(baseUrl, {
      connections: guard.settings.poolSize,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: guard.settings.timeoutMs,
    });
  }

  /** One POST to the batch endpoint, aborted when its budget runs out. */
  async post<T>(lookup: LookupRequest, budget: CallBudget): Promise<T[]> {
    const response = await this.pool.request({
      path: '/v1/lookup',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lookup),
      headersTimeout: budget.timeoutMs,
      bodyTimeout: budget.timeoutMs,
      signal: budget.signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      const error = new Error(`insurance service answered ${response.statusCode}`);
      // A 502/503/504 is the service (or its proxy) saying it cannot now: a read may be repeated.
      if (response.statusCode >= 502) Object.assign(error, { code: 'ECONNRESET' });
      throw error;
    }
    return ((await response.body.json()) as { results: T[] }).results;
  }

  /** Answers when the agency's service does, bypassing the breaker; used by /readyz. */
  async ping(signal: AbortSignal): Promise<void> {
    const response = await this.pool.request({ path: '/health', method: 'GET', signal });
    await response.body.dump();
    if (response.statusCode !== 200)
      throw new Error(`insurance service answered ${response.statusCode}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Reads of the social insurance agency's database, over its HTTP batch endpoint: each read is
 * one POST with every key of the batch, guarded like any source. The lookups only read, so
 * one that lost its connection may be repeated within the deadline.
 */
export class InsuranceAdapter {
  constructor(
    private readonly client: InsuranceClient,
    /** The deadline of a read made outside any request. */
    private readonly defaultDeadlineMs: number,
    private readonly deadline?: Deadline,
  ) {}

  /** This adapter with every read bound to one request's deadline. */
  within(deadline: Deadline): InsuranceAdapter {
    return new InsuranceAdapter(this.client, this.defaultDeadlineMs, deadline);
  }

  private async lookup<T>(
    op: string,
    keys: readonly string[],
    include: readonly InsuranceLink[] = [],
  ): Promise<T[]> {
    const unique = distinct(keys);
    const results = await sourceCalls.track('insurance', unique.length, () =>
      this.client.guard.run(this.deadline ?? new Deadline(this.defaultDeadlineMs), (budget) =>
        this.client.post<T>({ op, keys: unique, ...(include.length > 0 && { include }) }, budget),
      ),
    );
    const byKey = new Map(unique.map((key, index) => [key, results[index]]));
    return keys.map((key) => byKey.get(key) as T);
  }

  recordsByNumber(numbers: readonly string[]): Promise<(InsuranceRecordRow | null)[]> {
    return this.lookup('recordsByNumber', numbers);
  }

  /**
   * Each citizen's record, with the records it links to (its contribution periods, its health
   * cards) embedded when asked: one request however many levels the caller reads.
   */
  recordsOfCitizens(
    citizenIds: readonly string[],
    include: readonly InsuranceLink[] = [],
  ): Promise<(InsuranceRecordWithLinks | null)[]> {
    return this.lookup('recordsByCitizen', citizenIds, include);
  }

  contributionsOf(numbers: readonly string[]): Promise<ContributionRow[][]> {
    return this.lookup('contributionsByNumber', numbers);
  }

  healthCardsOf(numbers: readonly string[]): Promise<HealthCardRow[][]> {
    return this.lookup('healthCardsByNumber', numbers);
  }

  healthCardsByNumber(cardNumbers: readonly string[]): Promise<(HealthCardRow | null)[]> {
    return this.lookup('healthCardsByCardNumber', cardNumbers);
  }
}
