import type { SourceParent } from '../resolvers/source';
import { selectionDocument, type FieldBinding } from './bindings';
import type { ProcedureDefinition } from './catalogue';
import {
  DATE_FORMATS,
  normaliseId,
  normaliseText,
  parseDeclaredDate,
  parseDeclaredNumber,
} from './normalise';
import { readFields, type Execution, type FieldValue } from './read';

/** A typed value: text or a number, or a list of them for a field bound through a list. */
export type DeclaredScalar = string | number | boolean;
export type DeclaredValue = DeclaredScalar | DeclaredScalar[];

export type DeclarationStatus = 'MATCH' | 'MISMATCH' | 'UNKNOWN';

export interface DeclarationFieldResult {
  key: string;
  label: string;
  status: DeclarationStatus;
  declaredValue: DeclaredValue;
  nationalValue: FieldValue | null;
  source: SourceParent | null;
  reason: string | null;
}

export interface DeclarationResult {
  procedure: ProcedureDefinition;
  subjectId: string;
  fields: DeclarationFieldResult[];
  allMatch: boolean;
}

interface Comparison {
  match: boolean;
  /** Why a declared value could not be read as the field's kind (not a date, not a number). */
  problem: string | null;
}

/** Compares one typed scalar with one national value, by the kind of the field's GraphQL type. */
export function sameValue(
  binding: FieldBinding,
  declared: DeclaredScalar,
  national: string,
): Comparison {
  const typed = String(declared);
  switch (binding.valueKind) {
    case 'DATE': {
      const date = parseDeclaredDate(typed);
      if (date === null)
        return {
          match: false,
          problem: `"${typed}" is not a date in an accepted format (${DATE_FORMATS})`,
        };
      return { match: date === national, problem: null };
    }
    case 'NUMBER': {
      const number = typeof declared === 'number' ? declared : parseDeclaredNumber(typed);
      if (number === null) return { match: false, problem: `"${typed}" is not a number` };
      return { match: number === Number(national), problem: null };
    }
    case 'ID':
      return { match: normaliseId(typed) === normaliseId(national), problem: null };
    case 'ENUM': {
      const text = normaliseText(typed);
      const named = text === normaliseText(national) || binding.enumAliases[text] === national;
      return { match: named, problem: null };
    }
    default:
      return { match: normaliseText(typed) === normaliseText(national), problem: null };
  }
}

/**
 * A list field matches a single typed value that is one of its entries, or a typed list naming
 * the same entries in any order.
 */
function compare(binding: FieldBinding, declared: DeclaredValue, national: FieldValue): Comparison {
  if (!Array.isArray(national)) {
    const single = Array.isArray(declared) ? declared : [declared];
    if (single.length !== 1) return { match: false, problem: null };
    return sameValue(binding, single[0], national);
  }
  const entries = national.filter((entry): entry is string => entry !== null);
  const typed = Array.isArray(declared) ? declared : [declared];
  if (Array.isArray(declared) && typed.length !== entries.length)
    return { match: false, problem: null };
  const unused = [...entries];
  for (const value of typed) {
    let problem: string | null = null;
    const index = unused.findIndex((entry) => {
      const comparison = sameValue(binding, value, entry);
      problem ??= comparison.problem;
      return comparison.match;
    });
    if (index < 0) return { match: false, problem };
    if (Array.isArray(declared)) unused.splice(index, 1);
  }
  return { match: true, problem: null };
}

/**
 * Compares the typed values with the national record, reading only the submitted fields. A field
 * without a national value is UNKNOWN, never a guess either way.
 */
export async function checkDeclaration(
  procedure: ProcedureDefinition,
  subjectId: string,
  values: Record<string, DeclaredValue>,
  execution: Execution,
): Promise<DeclarationResult> {
  const submitted = Object.keys(values).map((key) =>
    procedure.fields.find((field) => field.key === key)!,
  );
  const bindings = submitted.flatMap((field) => (field.binding ? [field.binding] : []));
  const document =
    bindings.length > 0
      ? selectionDocument(procedure.subjectKind, bindings, 'CheckDeclaration')
      : null;
  const { readings } = await readFields(
    procedure.subjectKind,
    subjectId,
    submitted,
    document,
    execution,
  );
  const fields = submitted.map((field): DeclarationFieldResult => {
    const reading = readings.get(field.key)!;
    const declaredValue = values[field.key];
    if (reading.value === null || !field.binding) {
      return {
        key: field.key,
        label: field.label,
        status: 'UNKNOWN',
        declaredValue,
        nationalValue: null,
        source: null,
        reason: reading.reason,
      };
    }
    const comparison = compare(field.binding, declaredValue, reading.value);
    return {
      key: field.key,
      label: field.label,
      status: comparison.match ? 'MATCH' : 'MISMATCH',
      declaredValue,
      nationalValue: reading.value,
      source: reading.source,
      reason: comparison.problem,
    };
  });
  return {
    procedure,
    subjectId,
    fields,
    allMatch: fields.every((field) => field.status === 'MATCH'),
  };
}
