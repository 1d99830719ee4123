/** What a client may read under one purpose, and how the citizen sees those reads. */
export interface PurposePolicy {
  /** `*` (every field), whole type names (`Citizen`) or field coordinates (`Citizen.fullName`). */
  fields: string[];
  /** Reads under this purpose need a consent of the citizen in force. */
  requiresConsent: boolean;
  /** Whether the citizen may see the actor (`X-Actor`) of reads under this purpose. */
  actorVisible: boolean;
  /** Reads under this purpose stay hidden from the citizen for this many days (investigations). */
  restrictedDays: number | null;
}

/** An authenticated API client and everything needed to authorise its requests. */
export interface RegisteredClient {
  id: string;
  name: string;
  /** May call the audit operations (`auditLog`, `verifyAuditChain`). */
  auditor: boolean;
  /** May only run operations registered in advance (`persisted_operations`). */
  persistedOnly: boolean;
  rateLimitPerMinute: number;
  /** Policies by purpose code. */
  purposes: Map<string, PurposePolicy>;
}

/** One purpose of a client, as given to `addClient` or `setPurposes`. */
export interface PurposeSpec {
  purpose: string;
  fields: string[];
  requiresConsent?: boolean;
  /** Default true. */
  actorVisible?: boolean;
  restrictedDays?: number | null;
}

/** A client to register. */
export interface ClientSpec {
  id: string;
  name: string;
  purposes?: PurposeSpec[];
  auditor?: boolean;
  persistedOnly?: boolean;
  /** Default `DEFAULT_RATE_LIMIT_PER_MINUTE`. */
  rateLimitPerMinute?: number;
  /** Only for the embedded demo clients, whose key is public; otherwise a random key is made. */
  apiKey?: string;
}

/** A client as an operator sees it: never the key, only its last characters. */
export interface ClientSummary {
  id: string;
  name: string;
  status: 'ACTIVE' | 'REVOKED';
  keyHint: string;
  auditor: boolean;
  persistedOnly: boolean;
  rateLimitPerMinute: number;
  createdAt: Date;
  revokedAt: Date | null;
  rotatedAt: Date | null;
  purposes: Map<string, PurposePolicy>;
}

/** A citizen's permission for one client to read some fields for one purpose. */
export interface Consent {
  id: string;
  citizenId: string;
  clientId: string;
  purpose: string;
  fields: string[];
  grantedAt: Date;
  /** Null: until revoked. */
  until: Date | null;
  revokedAt: Date | null;
}

/** A consent to record. */
export interface ConsentGrant {
  citizenId: string;
  clientId: string;
  purpose: string;
  fields: string[];
  until?: Date | null;
}
