import DataLoader from 'dataloader';
import type { Adapters } from '../adapters';
import type { AccessStore } from './access/store';
import { AccessRecord, type Viewer } from './access/viewer';
import { createLoaders, type Loaders, type ReferenceCaches } from './loaders';
import type { RequestFacts } from './pipeline/request';

/** The per-request loaders: national data, and the consents in force for this client and purpose. */
export type RequestLoaders = Loaders & { consents: DataLoader<string, ReadonlySet<string>> };

/**
 * What every resolver sees: who asks, what this request has released so far (for the access
 * log), this request's loaders, and its id. Nothing else.
 */
export interface Context {
  requestId: string;
  viewer: Viewer;
  access: AccessRecord;
  loaders: RequestLoaders;
  /** What the request pipeline knows of the request; absent for internal executions. */
  request?: PipelineState;
}

/** The request pipeline's state of one request, shared by its stages. */
export interface PipelineState {
  facts: RequestFacts;
  /** The operation runs against the viewer's own schema (it reads `__schema` or `__type`). */
  introspection: boolean;
}

/** Builds the context of one request: fresh loaders, so nothing is shared across requests or viewers. */
export function createContext(
  adapters: Adapters,
  caches: ReferenceCaches,
  store: AccessStore,
  viewer: Viewer,
  requestId: string,
): Context {
  const access = new AccessRecord(viewer.purpose);
  const consents = new DataLoader<string, ReadonlySet<string>>(async (citizenIds) => {
    if (viewer.kind !== 'client' || !access.purpose) return citizenIds.map(() => new Set<string>());
    const inForce = await store.consentsInForce(
      viewer.client.id,
      access.purpose,
      [...citizenIds],
      new Date(),
    );
    return citizenIds.map((id) => inForce.get(id) ?? new Set<string>());
  });
  // The request's deadline, shared by every batch it sends to a national database.
  const sources = adapters.within(adapters.startDeadline());
  return { requestId, viewer, access, loaders: { ...createLoaders(sources, caches), consents } };
}
