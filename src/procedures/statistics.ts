import type { Catalogue, ProcedureDefinition } from './catalogue';

/** What the national plan counts, from the catalogue alone (bundles reuse their procedures' components). */
export interface CatalogueCounts {
  procedures: number;
  bundles: number;
  documentComponents: number;
  documentComponentsReplaced: number;
  proceduresCompletableOnline: number;
}

export function catalogueCounts(catalogue: Catalogue): CatalogueCounts {
  const singles = catalogue.singles();
  return {
    procedures: singles.length,
    bundles: catalogue.bundles().length,
    documentComponents: singles.reduce((sum, p) => sum + p.documentsTotal, 0),
    documentComponentsReplaced: singles.reduce((sum, p) => sum + p.documentsReplaced, 0),
    proceduresCompletableOnline: singles.filter((p) => p.completableOnline).length,
  };
}

/**
 * The field coordinate a `prefill` that released national data adds to its access-log entry,
 * so that the log can count the pre-filled forms served.
 */
export const PREFILL_SERVED = 'Query.prefill';

/**
 * The pre-2025 (or current) province code that a subject identifier encodes: digits 2-3 of a
 * personal identification number (its 3-digit province of birth registration), the first two of
 * an enterprise code (its registering province). Null when the prefix names no province.
 */
export function provinceCodeOf(
  procedure: ProcedureDefinition,
  prefix: string | null,
): string | null {
  if (!prefix || !/^\d{3}$/.test(prefix)) return null;
  if (procedure.subjectKind === 'CITIZEN') return prefix.startsWith('0') ? prefix.slice(1) : null;
  return prefix.slice(0, 2);
}
