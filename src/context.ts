import type { Adapters } from '../adapters';
import { createLoaders, type Loaders, type ReferenceCaches } from './loaders';

/** What every resolver sees: who asks, this request's loaders, and its id. Nothing else. */
export interface Context {
  requestId: string;
  loaders: Loaders;
}

/** Builds the context of one request: fresh loaders, so nothing is shared across requests. */
export function createContext(adapters: Adapters, caches: ReferenceCaches, requestId: string): Context {
  return { requestId, loaders: createLoaders(adapters, caches) };
}
