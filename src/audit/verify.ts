import type { KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import { GENESIS_HASH, entryHash } from './canonical';
import { checkpointSignatureValid } from './keys';
import { ENTRY_COLUMNS, rowsOf, timestampText, toHashable, type EntryRow } from './rows';
import type { AuditChainProblem, AuditChainReport } from './types';

/** Options of a chain verification. */
export interface VerifyOptions {
  /** Verify the entries logged from this moment (inclusive)... */
  from?: Date;
  /** ...up to this one (exclusive); without it the head and the latest checkpoint are checked. */
  to?: Date;
  /** Check checkpoint signatures (default true); false when no public key is at hand. */
  checkSignatures?: boolean;
  /** Rows fetched per query (default 1,000). */
  pageSize?: number;
}

/** The id an entry is known by outside: the client's request id when it sent one. */
function shownId(row: { request_id: string; client_request_id: string | null }): string {
  return row.client_request_id ?? row.request_id;
}

interface CheckpointRow {
  seq: string;
  hash: string;
  at_text: string;
  key_id: string;
  signature: string;
}

interface Snapshot {
  seq: string;
  hash: string;
  beyond_seq: string | null;
  cp_seq: string | null;
  cp_hash: string | null;
  cp_at_text: string | null;
  cp_key_id: string | null;
  cp_signature: string | null;
}

/** The last entry accepted by the walk. */
interface Link {
  seq: bigint;
  hash: string;
  requestId: string | null;
}

/** Reads a keyset-paged query one row at a time, with one row of look-ahead. */
class Paged<T> {
  private buffer: T[] = [];
  private index = 0;
  private exhausted = false;

  constructor(
    private readonly fetch: (after: T | null) => Promise<T[]>,
    private readonly pageSize: number,
  ) {}

  async next(): Promise<T | null> {
    return (await this.fill()) ? this.buffer[this.index++] : null;
  }

  async peek(): Promise<T | null> {
    return (await this.fill()) ? this.buffer[this.index] : null;
  }

  private async fill(): Promise<boolean> {
    if (this.index < this.buffer.length) return true;
    if (this.exhausted) return false;
    const after = this.buffer.length > 0 ? this.buffer[this.buffer.length - 1] : null;
    this.buffer = await this.fetch(after);
    this.index = 0;
    if (this.buffer.length < this.pageSize) this.exhausted = true;
    return this.buffer.length > 0;
  }
}

class Broken extends Error {
  constructor(
    readonly problem: AuditChainProblem,
    readonly seq: bigint,
    readonly requestId: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Recomputes the hash chain of `audit.entries` in seq order, a page at a time, and compares it
 * with the signed checkpoints and the head. Reports the first entry that is not as logged.
 */
export async function verifyChain(
  knex: Knex,
  keys: ReadonlyMap<string, KeyObject>,
  options: VerifyOptions = {},
): Promise<AuditChainReport> {
  const checkSignatures = options.checkSignatures ?? true;
  const pageSize = options.pageSize ?? 1000;
  let checkedEntries = 0;
  let checkedCheckpoints = 0;

  const signatureProblem = (cp: CheckpointRow): string | null => {
    if (!checkSignatures) return null;
    const key = keys.get(cp.key_id);
    if (!key) return `is signed by key ${cp.key_id}, which is not a trusted key`;
    return checkpointSignatureValid(key, cp.key_id, cp.seq, cp.hash, cp.at_text, cp.signature)
      ? null
      : 'has an invalid signature';
  };

  try {
    // One statement, so head, latest checkpoint and "entries beyond the head" are one snapshot
    // even while the writer keeps appending.
    const [snapshot] = await rowsOf<Snapshot>(
      knex.raw(`
        SELECT h.seq::text AS seq, h.hash,
               (SELECT min(e.seq) FROM audit.entries e WHERE e.seq > h.seq)::text AS beyond_seq,
               c.seq::text AS cp_seq, c.hash AS cp_hash, ${timestampText('c.at')} AS cp_at_text,
               c.key_id AS cp_key_id, c.signature AS cp_signature
          FROM audit.head h
          LEFT JOIN LATERAL (SELECT * FROM audit.checkpoints ORDER BY seq DESC LIMIT 1) c ON true`),
    );
    if (!snapshot) throw new Broken('TRUNCATED', 0n, null, 'the head row of the log is missing');
    const headSeq = BigInt(snapshot.seq);
    const tail = options.to === undefined || options.to.getTime() > Date.now();

    let lo = 1n;
    if (options.from) {
      const [row] = await rowsOf<{ seq: string | null }>(
        knex.raw('SELECT min(seq)::text AS seq FROM audit.entries WHERE at >= ?::timestamptz', [
          options.from.toISOString(),
        ]),
      );
      lo = row.seq === null ? headSeq + 1n : BigInt(row.seq);
    }
    let hi = headSeq;
    if (options.to) {
      const [row] = await rowsOf<{ seq: string | null }>(
        knex.raw('SELECT max(seq)::text AS seq FROM audit.entries WHERE at < ?::timestamptz', [
          options.to.toISOString(),
        ]),
      );
      const last = row.seq === null ? 0n : BigInt(row.seq);
      if (last < hi) hi = last;
    }

    let prev: Link = { seq: 0n, hash: GENESIS_HASH, requestId: null };
    if (lo > 1n) prev = await anchor(knex, lo - 1n);

    const entries = new Paged<EntryRow>(
      (after) =>
        rowsOf<EntryRow>(
          knex.raw(
            `SELECT ${ENTRY_COLUMNS} FROM audit.entries
              WHERE seq >= ? AND seq <= ?
                ${after ? 'AND (seq, at) > (?::bigint, ?::timestamptz)' : ''}
              ORDER BY entries.seq, entries.at LIMIT ?`,
            [lo.toString(), hi.toString(), ...(after ? [after.seq, after.at_text] : []), pageSize],
          ),
        ),
      pageSize,
    );
    const checkpoints = new Paged<CheckpointRow>(
      (after) =>
        rowsOf<CheckpointRow>(
          knex.raw(
            `SELECT seq::text AS seq, hash, ${timestampText('at')} AS at_text, key_id, signature
               FROM audit.checkpoints WHERE seq > ? AND seq <= ? ORDER BY checkpoints.seq LIMIT ?`,
            [after ? after.seq : (lo - 1n).toString(), hi.toString(), pageSize],
          ),
        ),
      pageSize,
    );

    // Where the chain was last known good: the latest matching checkpoint, or the range's start.
    let lastCheckpointSeq = lo - 1n;
    let checkpoint = await checkpoints.next();
    for (let row = await entries.next(); row !== null; row = await entries.next()) {
      checkedEntries += 1;
      const seq = BigInt(row.seq);
      checkEntry(row, seq, prev, await entries.peek());
      while (checkpoint !== null && BigInt(checkpoint.seq) < seq) {
        checkpoint = await checkpoints.next();
      }
      if (checkpoint !== null && BigInt(checkpoint.seq) === seq) {
        checkedCheckpoints += 1;
        const problem = signatureProblem(checkpoint);
        if (problem) {
          throw new Broken(
            'BAD_SIGNATURE',
            seq,
            shownId(row),
            `The checkpoint at entry ${seq} ${problem}.`,
          );
        }
        if (checkpoint.hash !== row.hash) {
          throw new Broken(
            'CHANGED',
            seq,
            shownId(row),
            `Entry ${seq} (request ${shownId(row)}) does not match the checkpoint signed at ${checkpoint.at_text}: ` +
              `the chain after entry ${lastCheckpointSeq} was rewritten and re-hashed.`,
          );
        }
        lastCheckpointSeq = seq;
        checkpoint = await checkpoints.next();
      }
      prev = { seq, hash: row.hash, requestId: shownId(row) };
    }

    if (tail) {
      if (prev.seq < headSeq) {
        throw new Broken(
          'TRUNCATED',
          prev.seq + 1n,
          null,
          `Entries ${prev.seq + 1n} to ${headSeq} are missing: the head records entry ${headSeq}.`,
        );
      }
      if (prev.hash !== snapshot.hash) {
        throw new Broken(
          'CHANGED',
          prev.seq,
          prev.requestId,
          `The head records hash ${snapshot.hash} for entry ${headSeq}, but the entry's hash is ${prev.hash}.`,
        );
      }
      if (snapshot.beyond_seq !== null) {
        const [row] = await rowsOf<{ request_id: string; client_request_id: string | null }>(
          knex.raw(
            'SELECT request_id, client_request_id FROM audit.entries WHERE seq = ? LIMIT 1',
            [snapshot.beyond_seq],
          ),
        );
        throw new Broken(
          'INSERTED',
          BigInt(snapshot.beyond_seq),
          row ? shownId(row) : null,
          `Entry ${snapshot.beyond_seq} (request ${row ? shownId(row) : null}) lies beyond the head (entry ${headSeq}): ` +
            'it was inserted without the writer.',
        );
      }
      if (snapshot.cp_seq !== null && BigInt(snapshot.cp_seq) > headSeq) {
        checkedCheckpoints += 1;
        const latest: CheckpointRow = {
          seq: snapshot.cp_seq,
          hash: snapshot.cp_hash as string,
          at_text: snapshot.cp_at_text as string,
          key_id: snapshot.cp_key_id as string,
          signature: snapshot.cp_signature as string,
        };
        const problem = signatureProblem(latest);
        if (problem) {
          throw new Broken(
            'BAD_SIGNATURE',
            BigInt(latest.seq),
            null,
            `The checkpoint at entry ${latest.seq} ${problem}.`,
          );
        }
        throw new Broken(
          'TRUNCATED',
          headSeq + 1n,
          null,
          `The checkpoint signed at ${latest.at_text} covers entries up to ${latest.seq}, ` +
            `but the log ends at entry ${headSeq}: entries ${headSeq + 1n} to ${latest.seq} were removed.`,
        );
      }
    }
    const range = lo <= hi ? `entries ${lo} to ${hi}` : 'no entries in the range';
    return {
      ok: true,
      checkedEntries,
      checkedCheckpoints,
      signaturesChecked: checkSignatures,
      message: `The chain is intact (${range}; ${checkedCheckpoints} signed checkpoint${checkedCheckpoints === 1 ? '' : 's'}).`,
    };
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    return {
      ok: false,
      checkedEntries,
      checkedCheckpoints,
      signaturesChecked: checkSignatures,
      firstBrokenSeq: error.seq.toString(),
      ...(error.requestId !== null ? { firstBrokenRequestId: error.requestId } : {}),
      problem: error.problem,
      message: error.message,
    };
  }
}

/** The entry just before a verified range, itself checked, to which the range must link. */
async function anchor(knex: Knex, seq: bigint): Promise<Link> {
  const [row] = await rowsOf<EntryRow>(
    knex.raw(
      `SELECT ${ENTRY_COLUMNS} FROM audit.entries WHERE seq = ? ORDER BY entries.at LIMIT 1`,
      [seq.toString()],
    ),
  );
  if (!row) throw new Broken('REMOVED', seq, null, `Entry ${seq} is missing.`);
  if (entryHash(toHashable(row), seq, row.previous_hash) !== row.hash) {
    throw new Broken(
      'CHANGED',
      seq,
      shownId(row),
      `Entry ${seq} (request ${shownId(row)}) was changed after it was logged: its content no longer matches its hash.`,
    );
  }
  return { seq, hash: row.hash, requestId: shownId(row) };
}

/**
 * Checks one entry against the one before it. The order of the checks decides the diagnosis: a
 * gap is a removal; a hash that only matches the neighbouring seq means the entries were
 * renumbered around an insertion or a removal; a bad hash is an edit; a broken link after a
 * good hash is an edit of the predecessor whose hash was recomputed to hide it.
 */
function checkEntry(row: EntryRow, seq: bigint, prev: Link, following: EntryRow | null): void {
  if (seq === prev.seq) {
    // Two entries claim one seq; the genuine one is the one its successor links to.
    const rowIsGenuine = following !== null && following.previous_hash === row.hash;
    const forged = rowIsGenuine ? prev.requestId : shownId(row);
    throw new Broken(
      'INSERTED',
      seq,
      forged,
      `Two entries claim seq ${seq}: request ${forged} was inserted without the writer.`,
    );
  }
  if (seq > prev.seq + 1n) {
    const missing = prev.seq + 1n;
    const span =
      seq - 1n > missing ? `Entries ${missing} to ${seq - 1n} are` : `Entry ${missing} is`;
    throw new Broken(
      'REMOVED',
      missing,
      null,
      `${span} missing: the chain resumes at entry ${seq} (request ${shownId(row)}).`,
    );
  }
  const content = toHashable(row);
  if (entryHash(content, seq, row.previous_hash) !== row.hash) {
    if (prev.seq > 0n && entryHash(content, seq - 1n, row.previous_hash) === row.hash) {
      throw new Broken(
        'INSERTED',
        prev.seq,
        prev.requestId,
        `Entry ${prev.seq} (request ${prev.requestId}) was inserted: the entries after it were renumbered ` +
          `(request ${shownId(row)}, now ${seq}, was logged as ${seq - 1n}).`,
      );
    }
    if (entryHash(content, seq + 1n, row.previous_hash) === row.hash) {
      throw new Broken(
        'REMOVED',
        seq,
        null,
        `Entry ${seq} was removed and the entries after it renumbered ` +
          `(request ${shownId(row)}, now ${seq}, was logged as ${seq + 1n}).`,
      );
    }
    throw new Broken(
      'CHANGED',
      seq,
      shownId(row),
      `Entry ${seq} (request ${shownId(row)}) was changed after it was logged: its content no longer matches its hash.`,
    );
  }
  if (row.previous_hash !== prev.hash) {
    if (prev.seq === 0n) {
      throw new Broken(
        'CHANGED',
        seq,
        shownId(row),
        `Entry ${seq} (request ${shownId(row)}) does not start from the genesis hash.`,
      );
    }
    throw new Broken(
      'CHANGED',
      prev.seq,
      prev.requestId,
      `Entry ${prev.seq} (request ${prev.requestId}) is not the entry that entry ${seq} was chained to: ` +
        'it was changed and its hash recomputed.',
    );
  }
}
