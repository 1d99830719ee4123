import type { Knex } from 'knex';
import type { Client as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { NATIONAL_DATABASES, migrate, type DatabaseName } from '../databases';
import { NationalDataGenerator } from './generator';
import { copyStatement, copyText } from './serialize';
import { TABLE_NAMES, databaseOf, type Batch, type TableName } from './tables';

export interface SeedOptions {
  citizens: number;
  seed: number;
  /** Citizens generated and loaded per step; 10,000 unless set. */
  chunkSize?: number;
  /** Called after each chunk with the citizens loaded so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Migrates every national database, empties its tables and loads a deterministic synthetic
 * data set. Each distinct connection is loaded in one transaction, so a failed run leaves the
 * previous data in place. Rows go in through COPY: streamed over the wire to PostgreSQL, with
 * keys and indexes dropped for the load and rebuilt at the end; handed over as in-memory blobs
 * to the embedded PGlite (about twice as fast there as multi-row INSERTs).
 */
export async function seedNationalDatabases(
  knexFor: (db: DatabaseName) => Knex,
  options: SeedOptions,
): Promise<void> {
  const generator = new NationalDataGenerator(options);
  for (const database of NATIONAL_DATABASES) await migrate(knexFor(database), database);

  const byHandle = new Map<Knex, TableName[]>();
  for (const table of TABLE_NAMES) {
    const handle = knexFor(databaseOf(table));
    byHandle.set(handle, [...(byHandle.get(handle) ?? []), table]);
  }
  const sinks: Sink[] = [];
  try {
    for (const [handle, tables] of byHandle) {
      const connection: unknown = await handle.client.acquireConnection();
      const sink = isNodePostgres(handle)
        ? new CopySink(handle, connection as PgClient, tables)
        : new BlobCopySink(handle, connection as PGliteLike, tables);
      sinks.push(sink);
      await sink.begin();
    }
    const write = async (batch: Batch): Promise<void> => {
      for (const sink of sinks) await sink.write(batch);
    };
    await write(generator.staticBatch());
    let done = 0;
    options.onProgress?.(0, options.citizens);
    for (const batch of generator.chunks()) {
      await write(batch);
      done += batch['population.citizens'].length;
      options.onProgress?.(done, options.citizens);
    }
    for (const sink of sinks) await sink.commit();
  } catch (error) {
    for (const sink of sinks) await sink.rollback().catch(() => undefined);
    throw error;
  } finally {
    for (const sink of sinks) await sink.release();
  }
}

/** knex-pglite registers its own client class; a real server goes through node-postgres. */
function isNodePostgres(handle: Knex): boolean {
  const client = handle.client.config.client;
  return typeof client === 'string' && ['pg', 'postgres', 'postgresql'].includes(client);
}

/** The part of PGlite's API the loader uses (COPY ... FROM '/dev/blob' reads options.blob). */
interface PGliteLike {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params?: unknown[], options?: { blob?: Blob }): Promise<unknown>;
}

abstract class Sink {
  constructor(
    protected readonly handle: Knex,
    readonly tables: TableName[],
  ) {}

  abstract begin(): Promise<void>;
  abstract write(batch: Batch): Promise<void>;
  abstract commit(): Promise<void>;
  abstract rollback(): Promise<void>;
  abstract release(): Promise<void>;
}

/** Embedded PGlite: a COPY from an in-memory blob per table and chunk, in one transaction. */
class BlobCopySink extends Sink {
  constructor(
    handle: Knex,
    private readonly connection: PGliteLike,
    tables: TableName[],
  ) {
    super(handle, tables);
  }

  async begin(): Promise<void> {
    await this.connection.exec(`BEGIN; TRUNCATE ${this.tables.join(', ')}`);
  }

  async write(batch: Batch): Promise<void> {
    for (const table of this.tables) {
      if (batch[table].length === 0) continue;
      const blob = new Blob([copyText(batch[table])]);
      await this.connection.query(copyStatement(table, "'/dev/blob'"), [], { blob });
    }
  }

  async commit(): Promise<void> {
    await this.connection.exec(`${resetSequences(this.tables)}; COMMIT`);
  }

  async rollback(): Promise<void> {
    await this.connection.exec('ROLLBACK');
  }

  async release(): Promise<void> {
    await this.handle.client.releaseConnection(this.connection);
  }
}

interface Constraint {
  table: string;
  name: string;
  definition: string;
  kind: 'p' | 'u' | 'f';
}

interface Index {
  name: string;
  definition: string;
}

/**
 * PostgreSQL: COPY FROM STDIN into tables stripped of their keys and indexes, which are
 * rebuilt once at the end (a sorted bulk build is far cheaper than maintaining a B-tree row by
 * row). Keys, indexes and rows all change in one transaction.
 */
class CopySink extends Sink {
  private constraints: Constraint[] = [];
  private indexes: Index[] = [];

  constructor(
    handle: Knex,
    private readonly client: PgClient,
    tables: TableName[],
  ) {
    super(handle, tables);
  }

  async begin(): Promise<void> {
    const c = this.client;
    await c.query('BEGIN');
    await c.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    await c.query('SET LOCAL synchronous_commit = off');
    const oids = `ARRAY[${this.tables.map((t) => `'${t}'::regclass`).join(', ')}]::oid[]`;
    this.constraints = (
      await c.query<Constraint>(
        `SELECT conrelid::regclass::text AS "table", conname AS name, pg_get_constraintdef(oid) AS definition, contype AS kind
           FROM pg_constraint WHERE contype IN ('p', 'u', 'f') AND (conrelid = ANY(${oids}) OR confrelid = ANY(${oids}))`,
      )
    ).rows;
    this.indexes = (
      await c.query<Index>(
        `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
          WHERE indrelid = ANY(${oids}) AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)`,
      )
    ).rows;
    // Foreign keys first: they depend on the keys they reference.
    const order = { f: 0, u: 1, p: 2 };
    for (const k of [...this.constraints].sort((a, b) => order[a.kind] - order[b.kind])) {
      await c.query(`ALTER TABLE ${k.table} DROP CONSTRAINT ${quoteIdent(k.name)}`);
    }
    for (const index of this.indexes) await c.query(`DROP INDEX ${index.name}`);
    await c.query(`TRUNCATE ${this.tables.join(', ')}`);
  }

  async write(batch: Batch): Promise<void> {
    for (const table of this.tables) {
      if (batch[table].length > 0) await this.copy(table, copyText(batch[table]));
    }
  }

  private copy(table: TableName, text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const stream = this.client.query(copyFrom(copyStatement(table)));
      stream.on('error', reject);
      stream.on('finish', () => resolve());
      stream.end(text);
    });
  }

  async commit(): Promise<void> {
    const c = this.client;
    const order = { p: 0, u: 1, f: 2 };
    for (const k of [...this.constraints].sort((a, b) => order[a.kind] - order[b.kind])) {
      if (k.kind !== 'f')
        await c.query(
          `ALTER TABLE ${k.table} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`,
        );
    }
    for (const index of this.indexes) await c.query(index.definition);
    for (const k of this.constraints) {
      if (k.kind === 'f')
        await c.query(
          `ALTER TABLE ${k.table} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`,
        );
    }
    await c.query(resetSequences(this.tables));
    await c.query(`ANALYZE ${this.tables.join(', ')}`);
    await c.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  async release(): Promise<void> {
    await this.handle.client.releaseConnection(this.client);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Moves identity sequences past the explicit ids the generator wrote. */
function resetSequences(tables: readonly TableName[]): string {
  const statements = tables
    .filter((t) => t === 'insurance.contributions')
    .map(
      (t) =>
        `SELECT setval(pg_get_serial_sequence('${t}', 'id'), COALESCE((SELECT max(id) FROM ${t}), 0) + 1, false)`,
    );
  return statements.length > 0 ? statements.join('; ') : 'SELECT 1';
}
