import { Pool } from 'undici';
import { distinct } from '../batch';
import { SourceUnavailableError, sourceCalls } from '../source';

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

/**
 * Reads of the social insurance agency's database, over its HTTP batch endpoint: each read is
 * one POST with every key of the batch, bounded by a timeout.
 */
export class InsuranceAdapter {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    connections = 16,
  ) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  private async lookup<T>(op: string, keys: readonly string[]): Promise<T[]> {
    sourceCalls.record('insurance');
    const unique = distinct(keys);
    let results: T[];
    try {
      const response = await this.pool.request({
        path: '/v1/lookup',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ op, keys: unique }),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`insurance service answered ${response.statusCode}`);
      }
      results = ((await response.body.json()) as { results: T[] }).results;
    } catch (error) {
      throw new SourceUnavailableError('insurance', error);
    }
    const byKey = new Map(unique.map((key, index) => [key, results[index]]));
    return keys.map((key) => byKey.get(key) as T);
  }

  recordsByNumber(numbers: readonly string[]): Promise<(InsuranceRecordRow | null)[]> {
    return this.lookup('recordsByNumber', numbers);
  }

  recordsOfCitizens(citizenIds: readonly string[]): Promise<(InsuranceRecordRow | null)[]> {
    return this.lookup('recordsByCitizen', citizenIds);
  }

  /** Records with their contribution periods, in one call, for a caller that reads both. */
  recordsWithContributionsOfCitizens(
    citizenIds: readonly string[],
  ): Promise<((InsuranceRecordRow & { contributions: ContributionRow[] }) | null)[]> {
    return this.lookup('recordsWithContributionsByCitizen', citizenIds);
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

  /** Answers when the agency's service does; used by /readyz. */
  async ping(): Promise<void> {
    try {
      const response = await this.pool.request({
        path: '/health',
        method: 'GET',
        headersTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body.dump();
      if (response.statusCode !== 200)
        throw new Error(`insurance service answered ${response.statusCode}`);
    } catch (error) {
      throw new SourceUnavailableError('insurance', error);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
