import type { GraphQLRequestContext } from '@apollo/server';
import { Kind, type DocumentNode } from 'graphql';
import { policyOf } from '../access/rules';
import { viewerId, type Viewer } from '../access/viewer';
import { AuditUnavailableError, type AuditLog } from '../audit';
import type { AuditEntryInput, AuditOutcome } from '../audit/types';
import type { Context } from '../context';
import { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { RequestFacts } from './request';

/** Error codes that mean the answer is incomplete because something failed. */
const FAILURES = new Set<string>([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);

/** The operation name, or the root fields asked for, as the access log names an operation. */
export function operationLabel(
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
): string | null {
  const name = operationName ?? null;
  if (name) return name.slice(0, 200);
  const operation = document?.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return null;
  if (operation.name) return operation.name.value.slice(0, 200);
  return operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : '…'))
    .join(',')
    .slice(0, 200);
}

/** The access-log entry of one request, as the log records every outcome. */
export function entryFor(options: {
  viewer: Viewer | null;
  facts: RequestFacts;
  purpose: string | null;
  operation: string | null;
  documentHash: string | null;
  outcome: AuditOutcome;
  subjects?: Iterable<string>;
  fields?: Iterable<string>;
  denied?: Iterable<string>;
  providerEntries?: Iterable<string>;
}): AuditEntryInput {
  const { viewer, facts } = options;
  const policy = viewer ? policyOf(viewer, options.purpose) : null;
  return {
    requestId: facts.requestId,
    clientRequestId: facts.clientRequestId,
    at: facts.receivedAt,
    clientId: viewer ? viewerId(viewer) : 'unknown',
    actor: facts.actor,
    purpose: options.purpose,
    caseId: facts.caseId,
    operation: options.operation,
    documentHash: options.documentHash,
    subjects: [...(options.subjects ?? [])],
    fields: [...(options.fields ?? [])],
    denied: [...(options.denied ?? [])],
    providerEntries: [...(options.providerEntries ?? [])],
    outcome: options.outcome,
    durationMs: Date.now() - facts.receivedAt.getTime(),
    restrictedUntil: policy?.restrictedDays
      ? new Date(facts.receivedAt.getTime() + policy.restrictedDays * 86_400_000)
      : null,
  };
}

/**
 * The last stage: the request's access-log entry is committed before the answer leaves. It
 * runs on every response that carries a viewer's request (Apollo's `willSendResponse`), so no
 * route reaches the client around it; if the log cannot be written, the answer is replaced by
 * AUDIT_UNAVAILABLE (HTTP 503) and nothing personal is released.
 */
export function createAccessLogStage(options: {
  audit: AuditLog;
  /** False only for benchmarks that measure what the log costs. */
  enabled: boolean;
  logger: Logger;
}) {
  const { audit, enabled, logger } = options;
  return {
    async beforeRelease(requestContext: GraphQLRequestContext<Context>): Promise<void> {
      const ctx = requestContext.contextValue;
      const facts = ctx.request?.facts;
      const { access } = ctx;
      const response = requestContext.response;
      if (!facts || response.body?.kind !== 'single') return;
      for (const error of response.body.singleResult.errors ?? []) {
        if (FAILURES.has(String(error.extensions?.code ?? ''))) access.failed = true;
      }
      if (!access.touched && !access.refusedWith) return;
      const denied = access.denied.size > 0 || access.refusedWith !== null;
      const released = access.fields.size > 0;
      const outcome: AuditOutcome =
        access.failed && !released
          ? 'ERROR'
          : denied
            ? released
              ? 'PARTIAL'
              : 'DENIED'
            : access.failed
              ? 'ERROR'
              : 'OK';
      if (!enabled) return;
      try {
        await audit.append(
          entryFor({
            viewer: ctx.viewer,
            facts,
            purpose: access.purpose,
            operation: operationLabel(
              requestContext.document,
              requestContext.request.operationName,
            ),
            documentHash: requestContext.queryHash ?? null,
            outcome,
            subjects: access.subjects,
            fields: access.fields,
            denied: access.denied,
            providerEntries: access.providerEntries,
          }),
        );
      } catch (error) {
        if (!(error instanceof AuditUnavailableError)) throw error;
        logger.error(
          { err: error, requestId: facts.requestId },
          'access log unavailable: answer withheld',
        );
        response.http.status = 503;
        response.http.headers.set('retry-after', '5');
        response.body = {
          kind: 'single',
          singleResult: {
            errors: [
              {
                message:
                  'The access log cannot be written, so no personal data is released. Try again later.',
                extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
              },
            ],
          },
        };
      }
    },
  };
}
