import { badUserInput } from './errors';

/** The identifier formats of the public contract, with the wording used in error messages. */
export const IDENTIFIERS = {
  citizenId: {
    pattern: /^\d{3}[0-3]\d{8}$/,
    expected:
      'a personal identification number of 12 digits (province, century and sex 0-3, birth year, 6 digits)',
  },
  enterpriseCode: {
    pattern: /^\d{10}(-\d{3})?$/,
    expected: 'an enterprise code of 10 digits, or of a dependent unit: 10 digits, "-", 3 digits',
  },
  branchCode: {
    pattern: /^\d{10}-\d{3}$/,
    expected: 'a dependent unit code: 10 digits, "-", 3 digits',
  },
  socialInsuranceNumber: {
    pattern: /^\d{10}$/,
    expected: 'a social insurance number of 10 digits',
  },
  healthInsuranceCard: {
    pattern: /^[A-Z]{2}\d{13}$/,
    expected:
      'a health insurance card number of 15 characters: 2 letters, benefit level, 2-digit province, 10-digit social insurance number',
  },
  landParcelId: {
    pattern: /^\d{5}-\d{1,4}-\d{1,5}$/,
    expected:
      'a land parcel id: 5-digit commune code, map sheet number and parcel number joined by "-"',
  },
  administrativeUnitCode: {
    pattern: /^(\d{2}|\d{3}|\d{5})$/,
    expected:
      'an administrative unit code: 2 digits (province), 5 digits (commune), or a pre-2025 district code of 3 digits',
  },
  taxCode: {
    pattern: /^(\d{10}(-\d{3})?|\d{3}[0-3]\d{8})$/,
    expected:
      'a tax code: an enterprise code of 10 digits (or 10 digits, "-", 3 digits) or a personal identification number of 12 digits',
  },
  civilServantCode: { pattern: /^CC\d{8}$/, expected: 'a civil servant code: "CC" and 8 digits' },
} as const;

export type IdentifierKind = keyof typeof IDENTIFIERS;

/** Most ids one list argument may carry. */
export const MAX_IDS = 100;

/** Returns the identifier, or throws BAD_USER_INPUT naming the argument and the format. */
export function requireIdentifier(kind: IdentifierKind, argument: string, value: string): string {
  const { pattern, expected } = IDENTIFIERS[kind];
  if (!pattern.test(value)) throw badUserInput(argument, expected, value);
  return value;
}

/** Checks a list argument: at most MAX_IDS entries, each well formed. */
export function requireIdentifiers(
  kind: IdentifierKind,
  argument: string,
  values: readonly string[],
): readonly string[] {
  if (values.length > MAX_IDS) {
    throw badUserInput(
      argument,
      `a list of at most ${MAX_IDS} identifiers`,
      `${values.length} identifiers`,
    );
  }
  values.forEach((value, index) => requireIdentifier(kind, `${argument}[${index}]`, value));
  return values;
}
