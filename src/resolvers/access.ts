import type { AccessStore } from '../access/store';
import type { AuditLog } from '../audit';
import type { AuditPage, AuditRecord } from '../audit/types';
import type { Context } from '../context';
import type { AuditOutcome as GraphQLAuditOutcome, Resolvers } from '../generated/graphql';

/** Services the access-log and consent fields read; built once at start. */
export interface AccessServices {
  audit: AuditLog;
  store: AccessStore;
}

function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(String(value));
}

function connection(page: AuditPage, hideActor: (entry: AuditRecord) => boolean = () => false) {
  return {
    edges: page.entries.map((entry, index) => ({
      cursor: page.cursors[index],
      node: {
        seq: entry.seq,
        requestId: entry.requestId,
        at: entry.at,
        client: entry.clientId,
        actor: hideActor(entry) ? null : entry.actor,
        purpose: entry.purpose,
        caseId: entry.caseId,
        operation: entry.operation,
        subjects: entry.subjects,
        fields: entry.fields,
        denied: entry.denied,
        outcome: entry.outcome as GraphQLAuditOutcome,
        durationMs: entry.durationMs,
        hash: entry.hash,
        previousHash: entry.previousHash,
      },
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
  return {
    Query: {
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
        return connection(page, (entry) => {
          const policy = entry.purpose
            ? clients.get(entry.clientId)?.purposes.get(entry.purpose)
            : undefined;
          return policy ? !policy.actorVisible : false;
        });
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
