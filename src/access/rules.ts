import type { PurposePolicy } from './types';
import type { Viewer } from './viewer';

/**
 * The access rules, written once: which root fields belong to one kind of viewer, which types a
 * purpose opens, and the policy that governs a request. The field policy (enforcement.ts) and
 * the schema each viewer may see (introspection.ts) both decide through these.
 */

/** Root fields reserved to one kind of viewer, whatever their purpose. */
export const ROLE_FIELDS: Readonly<Record<string, 'auditor' | 'citizen'>> = Object.freeze({
  auditLog: 'auditor',
  verifyAuditChain: 'auditor',
  auditWitnesses: 'auditor',
  accessStatistics: 'auditor',
  auditEntry: 'auditor',
  accessTimeline: 'auditor',
  accessAnomalies: 'auditor',
  me: 'citizen',
  myDataAccesses: 'citizen',
  myConsents: 'citizen',
  grantConsent: 'citizen',
  revokeConsent: 'citizen',
});

/** Whether the viewer is of the kind a role field is reserved to. */
export function holdsRole(viewer: Viewer, role: 'auditor' | 'citizen'): boolean {
  return role === 'auditor'
    ? viewer.kind === 'client' && viewer.client.auditor
    : viewer.kind === 'citizen';
}

/** Whether a purpose lets the client read at least one field of a type. */
export function typeReadable(policy: PurposePolicy, typeName: string): boolean {
  return policy.fields.some(
    (entry) => entry === '*' || entry === typeName || entry.startsWith(`${typeName}.`),
  );
}

/** The client's policy for the purpose in force, or null (no purpose, unregistered, a citizen). */
export function policyOf(viewer: Viewer, purpose: string | null): PurposePolicy | null {
  return viewer.kind === 'client' && purpose ? (viewer.client.purposes.get(purpose) ?? null) : null;
}

/** The policies that decide what a client may see when no purpose is given: all of its own. */
export function policiesOf(viewer: Viewer): PurposePolicy[] {
  if (viewer.kind !== 'client') return [];
  if (viewer.purpose) {
    const policy = viewer.client.purposes.get(viewer.purpose);
    return policy ? [policy] : [];
  }
  return [...viewer.client.purposes.values()];
}

/** Why a client may not read personal data at all under its current purpose, or null. */
export function purposeProblem(viewer: Viewer, purpose: string | null): string | null {
  if (viewer.kind !== 'client') return null;
  if (!purpose) return 'Personal data needs an X-Purpose header naming a registered purpose.';
  if (!viewer.client.purposes.has(purpose)) {
    return `Client "${viewer.client.id}" is not registered for purpose "${purpose}".`;
  }
  return null;
}
