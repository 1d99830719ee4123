import type { RegisteredClient } from './types';

/** A registered client system, asking for one purpose (or none). */
export interface ClientViewer {
  kind: 'client';
  client: RegisteredClient;
  /** X-Purpose as declared; the purpose in force is the request's AccessRecord's. */
  purpose: string | null;
  actor: string | null;
  caseId: string | null;
}

/** A citizen, authenticated by an identity token, reading their own data. */
export interface CitizenViewer {
  kind: 'citizen';
  citizenId: string;
  level: number;
  purpose: string | null;
  actor: string | null;
  caseId: string | null;
}

/** Who is asking: everything authorisation needs, and nothing else. */
export type Viewer = ClientViewer | CitizenViewer;

/** The id the access log records for a viewer. */
export function viewerId(viewer: Viewer): string {
  return viewer.kind === 'client' ? viewer.client.id : `citizen:${viewer.citizenId}`;
}

/**
 * What one request released and refused, filled in as fields resolve, so the access log can
 * record exactly the subjects and field coordinates that left the gateway.
 */
export class AccessRecord {
  readonly subjects = new Set<string>();
  readonly fields = new Set<string>();
  readonly denied = new Set<string>();
  /** Set when a root field that reads personal data or the log itself was called. */
  touched = false;
  /** Set when a source failed or an unexpected error was masked. */
  failed = false;
  /** The contract code of a stage that refused the operation before it ran, if one did. */
  refusedWith: string | null = null;
  /** The entries the subgraphs committed for this request (federated: `subgraph:seq:hash`). */
  readonly providerEntries: string[] = [];
  /** The purpose in force; a prefill sets it to its procedure code when X-Purpose is absent. */
  purpose: string | null;

  constructor(purpose: string | null) {
    this.purpose = purpose;
  }

  get releasedPersonalData(): boolean {
    return this.fields.size > 0;
  }
}
