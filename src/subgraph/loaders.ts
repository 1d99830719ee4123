import DataLoader from 'dataloader';
import type { RequestLoaders } from '../context';
import type { SubgraphName } from './sdl';

/** A loader that answers each key with a reference holding only that key, and asks no source. */
function keyReferences<V>(field: string): DataLoader<string, V | null> {
  return new DataLoader(async (keys) => keys.map((key) => ({ [field]: key }) as V));
}

/**
 * The loaders of one subgraph: its own database's as they are, and the entities of other
 * databases (citizens, enterprises) as references holding their key, which the gateway
 * resolves at the subgraph that owns them.
 */
export function subgraphLoaders(database: SubgraphName, loaders: RequestLoaders): RequestLoaders {
  return {
    ...loaders,
    citizen: database === 'population' ? loaders.citizen : keyReferences('id'),
    enterprise: database === 'enterprise' ? loaders.enterprise : keyReferences('code'),
  };
}
