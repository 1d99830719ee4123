import type { AccessStore } from '../access/store';
import type { AuditLog } from '../audit';
import { AuditInsights, type AccessAnomaly } from '../audit/insights';
import type { AuditPage, AuditRecord } from '../audit/types';
import type { Context } from '../context';
import type {
  AnomalyKind as GraphQLAnomalyKind,
  AuditOutcome as GraphQLAuditOutcome,
  Resolvers,
} from '../generated/graphql';
import { procedureCatalogue } from '../procedures/catalogue';

/** Services the access-log and consent fields read; built once at start. */
export interface AccessServices {
  audit: AuditLog;
  store: AccessStore;
}

function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(String(value));
}

function entryView(entry: AuditRecord, hideActor = false, subjects: string[] = entry.subjects) {
  return {
    seq: entry.seq,
    // The client's X-Request-Id when it sent one; the gateway's own id beside it.
    requestId: entry.clientRequestId ?? entry.requestId,
    gatewayRequestId: entry.requestId,
    providerEntries: entry.providerEntries ?? [],
    at: entry.at,
    client: entry.clientId,
    actor: hideActor ? null : entry.actor,
    purpose: entry.purpose,
    caseId: entry.caseId,
    operation: entry.operation,
    subjects,
    fields: entry.fields,
    denied: entry.denied,
    outcome: entry.outcome as GraphQLAuditOutcome,
    durationMs: entry.durationMs,
    hash: entry.hash,
    previousHash: entry.previousHash,
    documentHash: entry.documentHash,
    restrictedUntil: entry.restrictedUntil,
  };
}

function anomalyView(anomaly: AccessAnomaly) {
  return {
    kind: anomaly.kind as GraphQLAnomalyKind,
    client: anomaly.clientId,
    purpose: anomaly.purpose,
    from: anomaly.from,
    to: anomaly.to,
    count: anomaly.count,
    baseline: anomaly.baseline,
    fields: anomaly.fields,
    message: anomaly.message,
  };
}

/** The procedures of the catalogue with the field coordinates each binds. */
function boundProcedures() {
  return procedureCatalogue().procedures.map((procedure) => ({
    codes: [procedure.code, ...(procedure.nationalCode ? [procedure.nationalCode] : [])],
    reads: procedure.reads,
  }));
}

function connection(
  page: AuditPage,
  hideActor: (entry: AuditRecord) => boolean = () => false,
  subjectsShown: (entry: AuditRecord) => string[] = (entry) => entry.subjects,
) {
  return {
    edges: page.entries.map((entry, index) => ({
      cursor: page.cursors[index],
      node: entryView(entry, hideActor(entry), subjectsShown(entry)),
    })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  };
}

function citizenOf(ctx: Context): string {
  // The policy layer lets only citizen tokens reach these fields.
  if (ctx.viewer.kind !== 'citizen')
    throw new Error('citizen field reached without a citizen viewer');
  return ctx.viewer.citizenId;
}

/** The access log for auditors, and the citizen's own view of it and of their consents. */
export function createAccessResolvers({ audit, store }: AccessServices): Resolvers {
  const insights = new AuditInsights(audit.database, boundProcedures);
  return {
    Query: {
      auditEntry: async (_, { seq }) => {
        const entry = await insights.entry(seq);
        return entry ? entryView(entry) : null;
      },
      accessTimeline: async (_, { from, to, bucket }) =>
        (await insights.timeline({ from: toDate(from), to: toDate(to) }, bucket ?? 'DAY')).map(
          (row) => ({
            at: row.at,
            client: row.clientId,
            purpose: row.purpose,
            total: row.total,
            refused: row.refused,
          }),
        ),
      accessAnomalies: async (_, { from, to }) =>
        (await insights.anomalies({ from: toDate(from), to: toDate(to) })).map(anomalyView),
      auditLog: async (_, { filter, first, after }) =>
        connection(
          await audit.query(
            {
              clientId: filter?.client ?? undefined,
              subjectId: filter?.subjectId ?? undefined,
              purpose: filter?.purpose ?? undefined,
              caseId: filter?.caseId ?? undefined,
              from: toDate(filter?.from),
              to: toDate(filter?.to),
              outcome: filter?.outcome ?? undefined,
            },
            { first: first ?? undefined, after },
          ),
        ),
      verifyAuditChain: async (_, { from, to }) => {
        const report = await audit.verify({ from: toDate(from), to: toDate(to) });
        return {
          ok: report.ok,
          checkedEntries: report.checkedEntries,
          checkedCheckpoints: report.checkedCheckpoints,
          firstBrokenSeq: report.firstBrokenSeq ?? null,
          firstBrokenRequestId: report.firstBrokenRequestId ?? null,
          problem: report.problem ?? null,
          message: report.message,
          witnesses: (report.witnesses ?? []).map((check) => ({
            ...check,
            problem: check.problem ?? null,
          })),
        };
      },
      // The witnesses' status first: the log read after it is never older than what they hold.
      auditWitnesses: () => insights.witnesses(audit.witnessStatus()),
      accessStatistics: async (_, { from, to }) =>
        (await audit.stats({ from: toDate(from), to: toDate(to) })).map((row) => ({
          client: row.clientId,
          purpose: row.purpose,
          total: row.total,
          ok: row.byOutcome.OK,
          partial: row.byOutcome.PARTIAL,
          denied: row.byOutcome.DENIED,
          unauthenticated: row.byOutcome.UNAUTHENTICATED,
          error: row.byOutcome.ERROR,
          deniedFields: row.deniedFields,
        })),
      me: (_, __, ctx) => ctx.loaders.citizen.load(citizenOf(ctx)),
      myDataAccesses: async (_, { first, after }, ctx) => {
        const page = await audit.accessesOf(citizenOf(ctx), { first: first ?? undefined, after });
        // The actor of a read stays hidden where the purpose says so (an investigation's officer).
        const clients = new Map(
          await Promise.all(
            [...new Set(page.entries.map((entry) => entry.clientId))].map(
              async (id) => [id, await store.client(id)] as const,
            ),
          ),
        );
        const self = citizenOf(ctx);
        return connection(
          page,
          (entry) => {
            const policy = entry.purpose
              ? clients.get(entry.clientId)?.purposes.get(entry.purpose)
              : undefined;
            return policy ? !policy.actorVisible : false;
          },
          // Others read in the same request are theirs to know about, not this citizen's.
          (entry) => entry.subjects.filter((subject) => subject === self),
        );
      },
      myConsents: (_, __, ctx) =>
        store.consentsOf(citizenOf(ctx)).then((list) => list.map(consentView)),
    },
    Mutation: {
      grantConsent: async (_, { client, purpose, fields, until }, ctx) =>
        consentView(
          await store.grantConsent({
            citizenId: citizenOf(ctx),
            clientId: client,
            purpose,
            fields,
            until: toDate(until) ?? null,
          }),
        ),
      revokeConsent: async (_, { id }, ctx) =>
        consentView(await store.revokeConsent(citizenOf(ctx), id)),
    },
  };
}

function consentView(consent: Awaited<ReturnType<AccessStore['consentsOf']>>[number]) {
  return {
    id: consent.id,
    client: consent.clientId,
    purpose: consent.purpose,
    fields: consent.fields,
    grantedAt: consent.grantedAt,
    until: consent.until,
    revokedAt: consent.revokedAt,
  };
}
