/**
 * The deterministic synthetic data of the six national databases: generation (streamed in
 * chunks), loading (COPY into PostgreSQL or the embedded PGlite) and demo identifiers.
 */
export { seedNationalDatabases, type SeedOptions } from './load';
export {
  NationalDataGenerator,
  DEFAULT_CHUNK_SIZE,
  GENERATOR_VERSION,
  CITIZENS_PER_ENTERPRISE,
  type DatasetOptions,
  type EnterpriseSkeleton,
  type Agency,
} from './generator';
export { generateDataset, generateAll } from './dataset';
export { sampleIdentifiers, type SampleIdentifiers } from './samples';
export {
  readDatasetMarker,
  writeDatasetMarker,
  clearDatasetMarker,
  type DatasetMarker,
} from './marker';
export { parseCitizenId, IDENTIFIER_PATTERNS, type CitizenIdParts } from './identifiers';
export { geographyFor, type Geography } from './geography';
export { DATA_AS_OF, isoDate } from './dates';
export { copyText, copyStatement } from './serialize';
export {
  TABLE_COLUMNS,
  TABLE_NAMES,
  databaseOf,
  emptyBatch,
  rowObjects,
  type Batch,
  type Row,
  type TableName,
  type Value,
} from './tables';
