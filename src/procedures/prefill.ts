import type { SourceParent } from '../resolvers/source';
import type { DocumentDefinition, ProcedureDefinition } from './catalogue';
import { readFields, type Execution, type FieldValue, type UnavailableCause } from './read';

export interface PrefillFieldResult {
  key: string;
  label: string;
  labelEn: string;
  path: string | null;
  multiple: boolean;
  value: FieldValue | null;
  source: SourceParent | null;
  verified: boolean;
  available: boolean;
  unavailableCause: UnavailableCause | null;
  unavailableReason: string | null;
}

export interface PrefillResult {
  procedure: ProcedureDefinition;
  subjectId: string;
  subjectFound: boolean | null;
  fields: PrefillFieldResult[];
  replacedDocuments: DocumentDefinition[];
  stillRequiredDocuments: DocumentDefinition[];
}

/**
 * The procedure's form for one subject: every bound field read in one execution, each with its
 * value and source or the reason it has none; a document component is replaced only when every
 * field it lists came back with a value.
 */
export async function prefill(
  procedure: ProcedureDefinition,
  subjectId: string,
  execution: Execution,
): Promise<PrefillResult> {
  const { found, readings } = await readFields(
    procedure.subjectKind,
    subjectId,
    procedure.fields,
    procedure.prefillDocument,
    execution,
  );
  const fields = procedure.fields.map((field): PrefillFieldResult => {
    const reading = readings.get(field.key)!;
    const available = reading.value !== null;
    return {
      key: field.key,
      label: field.label,
      labelEn: field.labelEn,
      path: field.path,
      multiple: field.multiple,
      value: reading.value,
      source: reading.source,
      verified: available && field.binding !== null,
      available,
      unavailableCause: reading.cause,
      unavailableReason: reading.reason,
    };
  });
  const available = new Set(fields.filter((field) => field.available).map((field) => field.key));
  const replaced = (document: DocumentDefinition) =>
    document.replaceable && document.fields.every((field) => available.has(field.key));
  return {
    procedure,
    subjectId,
    subjectFound: found,
    fields,
    replacedDocuments: procedure.documents.filter(replaced),
    stillRequiredDocuments: procedure.documents.filter((document) => !replaced(document)),
  };
}
