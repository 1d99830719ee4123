/**
 * Whose data a record is: the citizens and enterprises the access log names as the subjects of
 * a read, whichever identifier the record was reached by (an insurance number, a parcel, a
 * civil-servant code). Read from the adapters' rows, which carry the owners' keys.
 */

/** The people and enterprises a record belongs to, and the record's own key. */
export interface RecordSubjects {
  citizens: string[];
  enterprises: string[];
  /** The record's own key (`@key` field), when it names neither: a parcel, an insurance number. */
  key: string | null;
}

// Identifiers the access log accepts (the audit entry's own check), so a malformed argument
// never makes the log refuse an entry.
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function text(value: unknown): string | null {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : null;
}

/** The subjects of one row of a national database's type. */
export function subjectsOf(
  typeName: string,
  keyField: string | null,
  row: unknown,
): RecordSubjects {
  const citizens = new Set<string>();
  const enterprises = new Set<string>();
  const subjects: RecordSubjects = { citizens: [], enterprises: [], key: null };
  if (row === null || typeof row !== 'object') return subjects;
  const record = row as Record<string, unknown>;
  const add = (kind: unknown, id: unknown) => {
    const value = text(id);
    if (!value) return;
    if (kind === 'CITIZEN') citizens.add(value);
    else if (kind === 'ENTERPRISE') enterprises.add(value);
  };
  if (typeName === 'Citizen') add('CITIZEN', record.id);
  if (typeName === 'Enterprise' || typeName === 'EnterpriseType') add('ENTERPRISE', record.code);
  // A person's tax code is their citizen id; an enterprise's is its enterprise code.
  if (typeName === 'Taxpayer') {
    add(record.kind === 'INDIVIDUAL' ? 'CITIZEN' : 'ENTERPRISE', record.taxCode);
  }
  add('CITIZEN', record.citizenId);
  add('CITIZEN', record.headCitizenId);
  add('ENTERPRISE', record.enterpriseCode);
  if (record.holderKind) add(record.holderKind, record.holderId);
  if (Array.isArray(record.holderKeys)) {
    for (const holder of record.holderKeys) {
      if (typeof holder !== 'string') continue;
      const colon = holder.indexOf(':');
      add(holder.slice(0, colon), holder.slice(colon + 1));
    }
  }
  subjects.citizens = [...citizens];
  subjects.enterprises = [...enterprises];
  const key = keyField ? text(record[keyField]) : null;
  if (key && !citizens.has(key) && !enterprises.has(key)) subjects.key = key;
  return subjects;
}

/** Every identifier of `subjects`, as the access log lists them. */
export function subjectIdentifiers(subjects: RecordSubjects): string[] {
  return [...subjects.citizens, ...subjects.enterprises, ...(subjects.key ? [subjects.key] : [])];
}

/** Arguments of root fields that name the record asked for. */
const IDENTIFYING_ARGUMENTS = [
  'id',
  'ids',
  'code',
  'socialInsuranceNumber',
  'number',
  'subjectId',
  'taxCode',
];

/** The identifiers a root field's arguments ask for, well-formed ones only. */
export function requestedIdentifiers(args: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const name of IDENTIFYING_ARGUMENTS) {
    const value = args[name];
    for (const item of Array.isArray(value) ? value : [value]) {
      const id = text(item);
      if (id) found.push(id);
    }
  }
  return found;
}
