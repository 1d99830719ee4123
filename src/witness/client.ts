import type { AddCheckpointResult, Witness } from './ledger';

/** A witness as a log sees it: over HTTP, or a ledger in a peer's database. */
export interface WitnessClient {
  /** Where it is, for status and reports. */
  readonly url: string;
  /** Submits a checkpoint note extending the one of size `old` (c2sp.org/tlog-witness). */
  addCheckpoint(old: bigint, note: string): Promise<AddCheckpointResult>;
  /** The newest cosigned checkpoint the witness holds for `origin`, or null. */
  latest(origin: string): Promise<string | null>;
  /** Cosigned checkpoints above size `after`, oldest first, a page at a time. */
  list(origin: string, after: bigint): Promise<{ size: bigint; note: string }[]>;
}

/** A witness that could not be asked (network, timeout, a 5xx). */
export class WitnessUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason =
      cause instanceof Error
        ? ((cause.cause as Error | undefined)?.message ?? cause.message)
        : String(cause);
    super(`witness ${url} is unreachable: ${reason}`, { cause });
    this.name = 'WitnessUnreachableError';
  }
}

/** Talks to a witness's HTTP interface (`src/witness/server.ts`), with a timeout per call. */
export class HttpWitnessClient implements WitnessClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async addCheckpoint(old: bigint, note: string): Promise<AddCheckpointResult> {
    const response = await this.call('/add-checkpoint', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `old ${old}\n\n${note}`,
    });
    const body = await response.text();
    if (response.status === 200) return { status: 200, cosignature: body };
    if (response.status === 409) {
      const size = /^(0|[1-9][0-9]*)\n?$/.exec(body);
      if (size) return { status: 409, size: BigInt(size[1]), message: 'conflict' };
      return { status: 400, message: `a 409 without a size: ${body.slice(0, 100)}` };
    }
    if ([400, 403, 404, 422].includes(response.status)) {
      return { status: response.status as 400, message: body.trim().slice(0, 300) };
    }
    throw new WitnessUnreachableError(this.url, new Error(`HTTP ${response.status}`));
  }

  async latest(origin: string): Promise<string | null> {
    const response = await this.call(`/checkpoint?origin=${encodeURIComponent(origin)}`);
    if (response.status === 404) return null;
    if (response.status !== 200) {
      throw new WitnessUnreachableError(this.url, new Error(`HTTP ${response.status}`));
    }
    return response.text();
  }

  async list(origin: string, after: bigint): Promise<{ size: bigint; note: string }[]> {
    const response = await this.call(
      `/checkpoints?origin=${encodeURIComponent(origin)}&after=${after}`,
    );
    if (response.status !== 200) {
      throw new WitnessUnreachableError(this.url, new Error(`HTTP ${response.status}`));
    }
    const body = (await response.json()) as { checkpoints?: { size: string; note: string }[] };
    if (!Array.isArray(body.checkpoints)) {
      throw new WitnessUnreachableError(this.url, new Error('malformed checkpoint list'));
    }
    return body.checkpoints.map((c) => ({ size: BigInt(c.size), note: String(c.note) }));
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.url.replace(/\/$/, '')}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WitnessUnreachableError(this.url, error);
    }
  }
}

/**
 * A witness whose ledger lives in a database this process holds: how two federated logs
 * witness each other, each keeping the other's checkpoints in its own database.
 */
export class LedgerWitnessClient implements WitnessClient {
  constructor(
    private readonly witness: Witness,
    readonly url: string,
  ) {}

  async addCheckpoint(old: bigint, note: string): Promise<AddCheckpointResult> {
    try {
      return await this.witness.addCheckpoint(`old ${old}\n\n${note}`);
    } catch (error) {
      throw new WitnessUnreachableError(this.url, error);
    }
  }

  async latest(origin: string): Promise<string | null> {
    try {
      return (await this.witness.latest(origin))?.note ?? null;
    } catch (error) {
      throw new WitnessUnreachableError(this.url, error);
    }
  }

  async list(origin: string, after: bigint): Promise<{ size: bigint; note: string }[]> {
    try {
      return await this.witness.list(origin, after);
    } catch (error) {
      throw new WitnessUnreachableError(this.url, error);
    }
  }
}
