/** Formats of the national identifiers (CONTRACT.md, "Identifiers"), as the generator writes them. */
export const IDENTIFIER_PATTERNS = {
  citizenId: /^\d{12}$/,
  enterpriseCode: /^\d{10}$/,
  branchCode: /^\d{10}-\d{3}$/,
  socialInsuranceNumber: /^\d{10}$/,
  healthCardNumber: /^[A-Z]{2}\d{3}\d{10}$/,
  landParcelId: /^\d{5}-\d+-\d+$/,
  civilServantCode: /^CC\d{8}$/,
  provinceCode: /^\d{2}$/,
  communeCode: /^\d{5}$/,
} as const;

export interface CitizenIdParts {
  /** Pre-2025 province of birth registration, 2 digits. */
  provinceCode: string;
  sex: 'MALE' | 'FEMALE';
  birthYear: number;
  serial: string;
}

/**
 * Decodes a personal identification number: 3-digit province code, a century-and-sex digit
 * (0/1 male/female born 1900-1999, 2/3 born 2000-2099, and so on every century), 2 digits of
 * the birth year, 6 digits. Null when it is not 12 digits or the province part is not "0xx".
 */
export function parseCitizenId(id: string): CitizenIdParts | null {
  if (!IDENTIFIER_PATTERNS.citizenId.test(id) || id[0] !== '0') return null;
  const centurySex = Number(id[3]);
  return {
    provinceCode: id.slice(1, 3),
    sex: centurySex % 2 === 0 ? 'MALE' : 'FEMALE',
    birthYear: 1900 + Math.floor(centurySex / 2) * 100 + Number(id.slice(4, 6)),
    serial: id.slice(6),
  };
}
