import type { KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type {
  AuditChainReport,
  AuditCheckpoint,
  AuditWitnessCheck,
  AuditWitnessing,
  AuditWitnessStatus,
} from '../audit/types';
import type { WitnessClient } from './client';
import {
  NOTE_ED25519,
  checkpointText,
  cosignatureTime,
  parseCheckpointText,
  parseNote,
  parseSignatureLine,
  signNoteLine,
  signaturesBy,
  noteSigner,
  type NoteSigner,
  type NoteVerifier,
} from './note';

/** A witness the log sends its checkpoints to, with the key its cosignatures must verify with. */
export interface WitnessTarget {
  client: WitnessClient;
  key: NoteVerifier;
}

/** Options of `AuditWitnesses`. */
export interface AuditWitnessesOptions {
  /** The log's origin line: its name, the same for every replica and for verify. */
  origin: string;
  /** The log's database: checkpoints not yet witnessed are found there after a restart. */
  knex: Knex;
  witnesses: WitnessTarget[];
  /** The log's signing key; without it the witnesses are only consulted (verify). */
  signingKey?: KeyObject;
  /** First wait before a down witness is tried again, doubling up to 30 s (default 500 ms). */
  retryMs?: number;
  /** Checkpoints kept per witness while it is down; the oldest go first (default 10,000). */
  maxBacklog?: number;
  /** How long `close` waits for queued checkpoints to go out (default 2 s). */
  closeTimeoutMs?: number;
  onError?: (error: Error) => void;
}

interface Queued {
  seq: bigint;
  hash: string;
}

interface Target extends WitnessTarget {
  queue: Queued[];
  /** The newest size the witness holds, once asked; null when it must be asked again. */
  known: bigint | null;
  /** The newest size it was last known to hold, for the status. */
  witnessed: bigint | null;
  state: 'up' | 'down';
  lastError: string | null;
  failures: number;
  running: Promise<void> | null;
  wake: (() => void) | null;
}

const MAX_RETRY_MS = 30_000;

function cosignedBy(
  key: NoteVerifier,
  note: string,
): { size: bigint; hash: string; at: Date } | null {
  const parsed = parseNote(note);
  for (const signature of signaturesBy(parsed, key)) {
    const time = cosignatureTime(key, parsed.text, signature);
    if (time !== null) {
      const body = parseCheckpointText(parsed.text);
      return { size: body.size, hash: body.hash, at: new Date(Number(time) * 1000) };
    }
  }
  return null;
}

/**
 * Sends every checkpoint of the log to its witnesses in the background, in order, each one as
 * soon as it is committed; a witness that is down gets its backlog when it answers again, and
 * no append ever waits for a witness. `check` compares the log with what each witness cosigned.
 */
export class AuditWitnesses implements AuditWitnessing {
  private readonly origin: string;
  private readonly knex: Knex;
  private readonly signer: NoteSigner | null;
  private readonly targets: Target[];
  private readonly retryMs: number;
  private readonly maxBacklog: number;
  private readonly closeTimeoutMs: number;
  private readonly onError: (error: Error) => void;
  private closed = false;

  constructor(options: AuditWitnessesOptions) {
    this.origin = options.origin;
    this.knex = options.knex;
    this.signer = options.signingKey
      ? noteSigner(options.origin, NOTE_ED25519, options.signingKey)
      : null;
    this.retryMs = options.retryMs ?? 500;
    this.maxBacklog = options.maxBacklog ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000;
    this.onError = options.onError ?? (() => undefined);
    this.targets = options.witnesses.map((witness) => ({
      ...witness,
      queue: [],
      known: null,
      witnessed: null,
      state: 'down',
      lastError: 'not contacted yet',
      failures: 0,
      running: null,
      wake: null,
    }));
  }

  /** Asks each witness how far it has seen and sends what the log checkpointed since. */
  start(): void {
    for (const target of this.targets) this.kick(target);
  }

  onCheckpoint(checkpoint: AuditCheckpoint): void {
    if (!this.signer) return;
    for (const target of this.targets) {
      target.queue.push({ seq: BigInt(checkpoint.seq), hash: checkpoint.hash });
      if (target.queue.length > this.maxBacklog) target.queue.shift();
      this.kick(target);
    }
  }

  status(): AuditWitnessStatus[] {
    return this.targets.map((target) => ({
      url: target.client.url,
      keyName: target.key.name,
      keyId: target.key.keyId.toString(16).padStart(8, '0'),
      state: target.state,
      // A refusal keeps its message while the witness stays up; coming back up clears it.
      refused: target.state === 'up' && target.lastError !== null,
      backlog: target.queue.length,
      lastWitnessedSequence: target.witnessed === null ? null : target.witnessed.toString(),
      lastError: target.lastError,
    }));
  }

  /** Resolves once every queue is empty, or a witness failed, or `timeoutMs` passed. */
  async drain(timeoutMs = this.closeTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const target of this.targets) {
      while (
        target.queue.length > 0 &&
        (target.state === 'up' || target.failures === 0) &&
        Date.now() < deadline
      ) {
        this.kick(target);
        await Promise.race([target.running, new Promise((r) => setTimeout(r, 20))]);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    for (const target of this.targets) target.wake?.();
    await Promise.all(this.targets.map((target) => target.running));
  }

  async check(report: AuditChainReport): Promise<AuditChainReport> {
    const results = await Promise.all(this.targets.map((target) => this.checkOne(target)));
    const merged: AuditChainReport = { ...report, witnesses: results.map((r) => r.check) };
    if (!report.ok) return merged;
    const broken = results.find((r) => !r.check.ok);
    if (!broken) return merged;
    return {
      ...merged,
      ok: false,
      problem: broken.check.problem,
      firstBrokenSeq: broken.firstBrokenSeq,
      firstBrokenRequestId: undefined,
      message: broken.check.message,
    };
  }

  private kick(target: Target): void {
    if (target.running || this.closed) return;
    target.running = this.run(target).finally(() => {
      target.running = null;
    });
  }

  private note(entry: Queued): string {
    const text = checkpointText({ origin: this.origin, size: entry.seq, hash: entry.hash });
    return `${text}\n${signNoteLine(this.signer as NoteSigner, text)}`;
  }

  /** Learns the witness's newest size and queues the log's checkpoints beyond it. */
  private async resume(target: Target): Promise<void> {
    const latest = await target.client.latest(this.origin);
    const seen = latest === null ? null : cosignedBy(target.key, latest);
    if (latest !== null && seen === null) {
      throw new Error('its newest checkpoint is not cosigned by its configured key');
    }
    target.known = seen?.size ?? 0n;
    target.witnessed = seen ? seen.size : null;
    if (!this.signer) return;
    const { rows } = await this.knex.raw<{ rows: { seq: string; hash: string }[] }>(
      `SELECT seq::text AS seq, hash FROM audit.checkpoints WHERE seq > ?::bigint
        ORDER BY seq DESC LIMIT ?`,
      [target.known.toString(), this.maxBacklog],
    );
    const { rows: newest } = await this.knex.raw<{ rows: { seq: string | null }[] }>(
      'SELECT max(seq)::text AS seq FROM audit.checkpoints',
    );
    if (target.known > BigInt(newest[0].seq ?? 0)) {
      // Checkpoints beyond it are skipped until the log passes it; verify names the break.
      this.onError(
        new Error(
          `witness ${target.client.url} holds a checkpoint of entry ${target.known}, beyond this log's newest ` +
            `(${newest[0].seq ?? 0}): the log lost its tail; run npm run audit -- verify`,
        ),
      );
    }
    const queued = new Map(target.queue.map((entry) => [entry.seq, entry]));
    for (const row of rows) queued.set(BigInt(row.seq), { seq: BigInt(row.seq), hash: row.hash });
    target.queue = [...queued.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }

  private async run(target: Target): Promise<void> {
    while (!this.closed) {
      try {
        if (target.known === null) await this.resume(target);
        this.markUp(target);
        const next = target.queue[0];
        if (!next) return;
        const known = target.known as bigint;
        if (next.seq <= known) {
          target.queue.shift();
          continue;
        }
        const result = await target.client.addCheckpoint(known, this.note(next));
        if (result.status === 200) {
          const line = parseSignatureLine(result.cosignature.split('\n')[0]);
          const text = checkpointText({ origin: this.origin, size: next.seq, hash: next.hash });
          if (cosignatureTime(target.key, text, line) === null) {
            throw new Error('its receipt is not cosigned by its configured key');
          }
          target.known = next.seq;
          target.witnessed = next.seq;
          target.queue.shift();
        } else if (result.status === 409 && result.size !== known) {
          // The witness is elsewhere (another replica sent checkpoints, or it lost its state).
          target.known = result.size;
          target.witnessed = result.size;
        } else {
          // Refused for good (a fork, or a key or origin it does not know): said, not retried.
          target.queue.shift();
          const error = new Error(
            `witness ${target.client.url} refused checkpoint ${next.seq} (HTTP ${result.status}): ${result.message}`,
          );
          target.lastError = error.message;
          this.onError(error);
        }
      } catch (error) {
        if (target.state === 'up' || target.failures === 0) {
          this.onError(new Error(`witness ${target.client.url}: ${(error as Error).message}`));
        }
        target.state = 'down';
        target.lastError = (error as Error).message;
        target.failures += 1;
        target.known = null;
        if (this.closed) return;
        const wait = Math.min(this.retryMs * 2 ** Math.min(target.failures - 1, 16), MAX_RETRY_MS);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          timer.unref();
          target.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        target.wake = null;
      }
    }
  }

  private markUp(target: Target): void {
    if (target.state === 'down') {
      target.state = 'up';
      target.lastError = null;
      target.failures = 0;
    }
  }

  private async checkOne(
    target: Target,
  ): Promise<{ check: AuditWitnessCheck; firstBrokenSeq?: string }> {
    const url = target.client.url;
    const check = (
      fields: Partial<AuditWitnessCheck> & { message: string },
    ): AuditWitnessCheck => ({
      url,
      ok: true,
      reachable: true,
      lastWitnessedSequence: null,
      checkedCheckpoints: 0,
      ...fields,
    });
    let latest: string | null;
    try {
      latest = await target.client.latest(this.origin);
    } catch (error) {
      return {
        check: check({
          reachable: false,
          message: `${(error as Error).message}: it could not tell whether the tail was dropped.`,
        }),
      };
    }
    if (latest === null) {
      return { check: check({ message: `Witness ${url} holds no checkpoint of this log yet.` }) };
    }
    const newest = safely(() => cosignedBy(target.key, latest));
    if (!newest) {
      return {
        check: check({
          ok: false,
          problem: 'BAD_WITNESS_SIGNATURE',
          message: `The answer of witness ${url} is not cosigned by its key: it was forged or altered.`,
        }),
      };
    }
    const lastWitnessedSequence = newest.size.toString();
    const [{ seq: headText }] = (
      await this.knex.raw<{ rows: { seq: string }[] }>('SELECT seq::text AS seq FROM audit.head')
    ).rows;
    const head = BigInt(headText);

    let checked = 0;
    let lastGood = 0n;
    let after = 0n;
    for (;;) {
      let page: { size: bigint; note: string }[];
      try {
        page = await target.client.list(this.origin, after);
      } catch (error) {
        return {
          check: check({
            reachable: false,
            lastWitnessedSequence,
            checkedCheckpoints: checked,
            message: `${(error as Error).message}: the comparison stopped at entry ${after}.`,
          }),
        };
      }
      if (page.length === 0) break;
      const witnessed = page.map((item) => ({
        item,
        body: safely(() => cosignedBy(target.key, item.note)),
      }));
      const forged = witnessed.find((w) => !w.body || w.body.size !== w.item.size);
      if (forged) {
        return {
          check: check({
            ok: false,
            problem: 'BAD_WITNESS_SIGNATURE',
            lastWitnessedSequence,
            checkedCheckpoints: checked,
            message: `Witness ${url}'s checkpoint of entry ${forged.item.size} is not cosigned by its key: the answer was forged or altered.`,
          }),
        };
      }
      const { rows } = await this.knex.raw<{ rows: { seq: string; hash: string }[] }>(
        `SELECT seq::text AS seq, hash FROM audit.entries WHERE seq = ANY(?::bigint[])`,
        [`{${page.map((item) => item.size.toString()).join(',')}}`],
      );
      const hashes = new Map(rows.map((row) => [BigInt(row.seq), row.hash]));
      for (const { body } of witnessed) {
        const { size, hash, at } = body as { size: bigint; hash: string; at: Date };
        checked += 1;
        if (size > head) {
          return {
            firstBrokenSeq: (head + 1n).toString(),
            check: check({
              ok: false,
              problem: 'DROPPED_TAIL',
              lastWitnessedSequence,
              checkedCheckpoints: checked,
              message:
                `The log ends at entry ${head}, but witness ${url} cosigned a checkpoint of entry ${size} ` +
                `at ${at.toISOString()}: the tail after entry ${head} was dropped (last witnessed sequence ${lastWitnessedSequence}).`,
            }),
          };
        }
        if (hashes.get(size) !== hash) {
          return {
            firstBrokenSeq: (lastGood + 1n).toString(),
            check: check({
              ok: false,
              problem: 'REWRITTEN',
              lastWitnessedSequence,
              checkedCheckpoints: checked,
              message:
                `Entry ${size} is not the one witness ${url} cosigned at ${at.toISOString()}: the tail after ` +
                `entry ${lastGood} was dropped and rewritten (last witnessed sequence ${lastWitnessedSequence}).`,
            }),
          };
        }
        lastGood = size;
      }
      after = page[page.length - 1].size;
    }
    return {
      check: check({
        lastWitnessedSequence,
        checkedCheckpoints: checked,
        message: `Witness ${url} cosigned ${checked} checkpoints up to entry ${lastWitnessedSequence}; the log holds each of them.`,
      }),
    };
  }
}

function safely<T>(work: () => T | null): T | null {
  try {
    return work();
  } catch {
    return null;
  }
}
