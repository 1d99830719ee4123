/**
 * How typed values compare with national ones. Vietnamese text arrives composed (NFC) from one
 * keyboard and decomposed (NFD) from another, so both sides are normalised to NFC; diacritics are
 * kept, since "Nguyễn" and "Nguyen" are different names.
 */

/** NFC, lower case, single spaces, no spaces before commas. */
export function normaliseText(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(/ ?, ?/g, ', ')
    .trim()
    .toLowerCase()
    .normalize('NFC');
}

/** Identifiers and serials ("DA 123456") compare without any spaces and regardless of case. */
export function normaliseId(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, '').toUpperCase();
}

const DAY_MONTH_YEAR = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The formats a typed date may take, for messages. */
export const DATE_FORMATS = 'dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd';

/** A typed date as `YYYY-MM-DD`, or null when it is not a calendar date in an accepted format. */
export function parseDeclaredDate(value: string): string | null {
  const text = value.trim();
  let year: number, month: number, day: number;
  const dmy = DAY_MONTH_YEAR.exec(text);
  const iso = ISO_DATE.exec(text);
  if (dmy) [day, month, year] = [Number(dmy[1]), Number(dmy[3]), Number(dmy[4])];
  else if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31/02 over into March: a date that does not round-trip does not exist.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A typed number. Vietnamese forms group thousands with dots and use a decimal comma
 * ("1.500.000.000", "120,5"); English ones the other way round; a lone dot followed by exactly
 * three digits is read as grouping, as a Vietnamese reader would.
 */
export function parseDeclaredNumber(value: string): number | null {
  const text = value.replace(/\s+/gu, '');
  let canonical: string | null = null;
  if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(text))
    canonical = text.replace(/\./g, '').replace(',', '.');
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) canonical = text.replace(/,/g, '');
  else if (/^-?\d+,\d+$/.test(text)) canonical = text.replace(',', '.');
  else if (/^-?\d+(\.\d+)?$/.test(text)) canonical = text;
  return canonical === null ? null : Number(canonical);
}
