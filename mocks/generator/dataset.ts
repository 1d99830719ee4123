import { NationalDataGenerator, type DatasetOptions } from './generator';
import { TABLE_NAMES, emptyBatch, type Batch } from './tables';

/** Every batch of a data set in load order: catalogues and units first, then each chunk. */
export function* generateDataset(options: DatasetOptions): Generator<Batch> {
  const generator = new NationalDataGenerator(options);
  yield generator.staticBatch();
  yield* generator.chunks();
}

/** A whole data set in one batch; for tests and small sizes only, since it holds every row. */
export function generateAll(options: DatasetOptions): Batch {
  const all = emptyBatch();
  for (const batch of generateDataset(options)) {
    for (const table of TABLE_NAMES) for (const row of batch[table]) all[table].push(row);
  }
  return all;
}
