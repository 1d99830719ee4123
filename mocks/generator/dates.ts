/**
 * Dates as whole days since 1970-01-01 (UTC), formatted through a lookup table: millions of
 * rows each carry several dates, and Date objects would dominate the generation time.
 */

const MS_PER_DAY = 86_400_000;
const FIRST_YEAR = 1890;
const LAST_YEAR = 2110;

/** Day number of a calendar date. */
export function day(year: number, month: number, dayOfMonth: number): number {
  return Math.round(Date.UTC(year, month - 1, dayOfMonth) / MS_PER_DAY);
}

const TABLE_START = day(FIRST_YEAR, 1, 1);
const TABLE_END = day(LAST_YEAR + 1, 1, 1);

interface Tables {
  iso: string[];
  year: Uint16Array;
  month: Uint8Array;
  dayOfMonth: Uint8Array;
}
let cache: Tables | undefined;

/** Calendar fields of every day in range, computed once: no Date object on the hot path. */
function tables(): Tables {
  if (!cache) {
    const size = TABLE_END - TABLE_START;
    const t: Tables = {
      iso: [],
      year: new Uint16Array(size),
      month: new Uint8Array(size),
      dayOfMonth: new Uint8Array(size),
    };
    for (let i = 0; i < size; i++) {
      const date = new Date((TABLE_START + i) * MS_PER_DAY);
      t.iso.push(date.toISOString().slice(0, 10));
      t.year[i] = date.getUTCFullYear();
      t.month[i] = date.getUTCMonth() + 1;
      t.dayOfMonth[i] = date.getUTCDate();
    }
    cache = t;
  }
  return cache;
}

function checked(d: number): number {
  const index = d - TABLE_START;
  if (index < 0 || d >= TABLE_END || !Number.isInteger(d))
    throw new RangeError(`day ${d} out of range`);
  return index;
}

/** `YYYY-MM-DD`. */
export function isoDate(d: number): string {
  return tables().iso[checked(d)];
}

export function yearOf(d: number): number {
  return tables().year[checked(d)];
}

/** The day of the same month and day `years` later (29 February falls on 1 March). */
export function addYears(d: number, years: number): number {
  const t = tables();
  const i = checked(d);
  return day(t.year[i] + years, t.month[i], t.dayOfMonth[i]);
}

/** First day of the month containing d. */
export function monthStart(d: number): number {
  return d - tables().dayOfMonth[checked(d)] + 1;
}

/** First day of the month `months` after the month containing d. */
export function addMonths(d: number, months: number): number {
  const t = tables();
  const i = checked(d);
  return day(t.year[i], t.month[i] + months, 1);
}

/** Whole months from the month of a to the month of b. */
export function monthsBetween(a: number, b: number): number {
  const t = tables();
  const i = checked(a);
  const j = checked(b);
  return (t.year[j] - t.year[i]) * 12 + t.month[j] - t.month[i];
}

/** Age in whole years on day `on` of someone born on `born`. */
export function ageOn(born: number, on: number): number {
  const t = tables();
  const b = checked(born);
  const o = checked(on);
  const beforeBirthday =
    t.month[o] < t.month[b] || (t.month[o] === t.month[b] && t.dayOfMonth[o] < t.dayOfMonth[b]);
  return t.year[o] - t.year[b] - (beforeBirthday ? 1 : 0);
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** A timestamp in Vietnam's time zone (UTC+7), `YYYY-MM-DD HH:MM:SS+07`. */
export function timestamp(d: number, secondOfDay: number): string {
  const s = Math.max(0, Math.min(86_399, Math.floor(secondOfDay)));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return `${isoDate(d)} ${TWO_DIGITS[hh]}:${TWO_DIGITS[mm]}:${TWO_DIGITS[s % 60]}+07`;
}

/**
 * The day the synthetic data describes: nothing happens after it. Fixed rather than read from
 * the clock so that a seed always yields the same data; a year after the reorganisation, so
 * that data recorded under the new units exists too.
 */
export const DATA_AS_OF = day(2026, 6, 1);

/** The two-tier administrative system took effect on this day (Resolution 202/2025/QH15). */
export const REORGANISATION_DAY = day(2025, 7, 1);
