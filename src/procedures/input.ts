import { badUserInput } from '../errors';
import { IDENTIFIERS, requireIdentifier } from '../identifiers';
import { SUBJECTS } from './bindings';
import type { Catalogue, ProcedureDefinition } from './catalogue';
import type { DeclaredValue } from './declaration';

/** How many valid codes an error message suggests. */
const SUGGESTIONS = 8;

/** Valid codes to suggest: those sharing a word with what was typed first, then the rest. */
function suggestions(catalogue: Catalogue, typed: string): string {
  const words = new Set(
    typed
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .filter(Boolean),
  );
  const scored = catalogue
    .codes()
    .map((code) => ({ code, shared: code.split('_').filter((word) => words.has(word)).length }))
    .sort((a, b) => b.shared - a.shared || a.code.localeCompare(b.code));
  const shown = scored.slice(0, SUGGESTIONS).map((entry) => entry.code);
  const more = scored.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more (query \`procedures\`)` : ''}`;
}

/** The procedure a code (catalogue or national) names, or BAD_USER_INPUT listing valid codes. */
export function requireProcedure(
  catalogue: Catalogue,
  argument: string,
  code: string,
): ProcedureDefinition {
  const procedure = catalogue.get(code);
  if (!procedure)
    throw badUserInput(
      argument,
      `a procedure code from the catalogue, such as ${suggestions(catalogue, code)}`,
      code,
    );
  return procedure;
}

/** What an id of each kind is, for messages. */
const KIND_OF_ID = {
  CITIZEN: { article: 'a citizen', id: 'a personal identification number' },
  ENTERPRISE: { article: 'an enterprise', id: 'an enterprise code' },
} as const;

/** The subject id in the format of the procedure's subject kind, saying so when it is of the other kind. */
export function requireSubjectId(procedure: ProcedureDefinition, subjectId: string): string {
  const kind = procedure.subjectKind;
  const otherKind = kind === 'CITIZEN' ? 'ENTERPRISE' : 'CITIZEN';
  const subject = SUBJECTS[kind];
  const expected = IDENTIFIERS[subject.identifier];
  if (
    !expected.pattern.test(subjectId) &&
    IDENTIFIERS[SUBJECTS[otherKind].identifier].pattern.test(subjectId)
  ) {
    throw badUserInput(
      'subjectId',
      `${expected.expected}: ${procedure.code} is a procedure about ${KIND_OF_ID[kind].article}, and "${subjectId}" is ${KIND_OF_ID[otherKind].id}`,
    );
  }
  const id = requireIdentifier(subject.identifier, 'subjectId', subjectId);
  if (procedure.subjectKind === 'ENTERPRISE' && id.includes('-')) {
    throw badUserInput(
      'subjectId',
      `an enterprise code of 10 digits: ${procedure.code} concerns the enterprise, not one of its dependent units`,
      subjectId,
    );
  }
  return id;
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}

/** `values` of checkDeclaration: an object whose keys are fields of the procedure. */
export function requireValues(
  procedure: ProcedureDefinition,
  values: unknown,
): Record<string, DeclaredValue> {
  const keys = procedure.fields.map((field) => field.key);
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw badUserInput(
      'values',
      `a JSON object of field keys of ${procedure.code} to the values typed, e.g. {"${keys[0]}": "..."}`,
      values,
    );
  }
  const entries = Object.entries(values as Record<string, unknown>);
  const unknown = entries.map(([key]) => key).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw badUserInput(
      'values',
      `an object whose keys are fields of ${procedure.code} (${keys.join(', ')}); unknown key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`,
    );
  }
  for (const [key, value] of entries) {
    const field = procedure.fields.find((candidate) => candidate.key === key)!;
    const ok = isScalar(value) || (field.multiple && Array.isArray(value) && value.every(isScalar));
    if (!ok) {
      throw badUserInput(
        `values.${key}`,
        field.multiple
          ? 'a string or number, or a list of them (the field is a list)'
          : 'a string or number (omit the key to leave the field unchecked)',
        value,
      );
    }
  }
  return values as Record<string, DeclaredValue>;
}
