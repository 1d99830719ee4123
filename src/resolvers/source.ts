import type { NationalDatabase } from '../generated/graphql';

/** The parent of a `Source` field: which database and when the record changed. */
export interface SourceParent {
  database: NationalDatabase;
  updatedAt: Date | string;
}

/** The `source` resolver of every record read from one national database. */
export function sourceOf(database: NationalDatabase) {
  return (row: { updatedAt: Date | string }): SourceParent => ({
    database,
    updatedAt: row.updatedAt,
  });
}
