import type { PurposePolicy } from './types';

/** A purpose's field entries: `*` (everything), a type name (`Citizen`) or a coordinate (`Citizen.fullName`). */
export const FIELD_ENTRY = /^(\*|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?)$/;

/** True when `entries` (a purpose's or a consent's fields) let one read `typeName.fieldName`. */
export function entriesAllow(
  entries: Iterable<string>,
  typeName: string,
  fieldName: string,
): boolean {
  // `__typename` and the other meta fields carry no personal data.
  if (fieldName.startsWith('__')) return true;
  const coordinate = `${typeName}.${fieldName}`;
  for (const entry of entries) {
    if (entry === '*' || entry === typeName || entry === coordinate) return true;
  }
  return false;
}

/** True when a purpose's policy lets its client read the field `typeName.fieldName`. */
export function fieldAllowed(policy: PurposePolicy, typeName: string, fieldName: string): boolean {
  return entriesAllow(policy.fields, typeName, fieldName);
}

/**
 * True when every field `entry` names is also covered by `allowed`: `*` only by `*`, a whole
 * type by `*` or that type, a coordinate by any of the three. Used to keep consents within
 * what the purpose permits.
 */
export function entryCovered(allowed: readonly string[], entry: string): boolean {
  if (allowed.includes('*')) return true;
  if (entry === '*') return false;
  const dot = entry.indexOf('.');
  if (dot < 0) return allowed.includes(entry);
  return entriesAllow(allowed, entry.slice(0, dot), entry.slice(dot + 1));
}
