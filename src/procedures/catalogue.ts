import fs from 'node:fs';
import path from 'node:path';
import {
  buildASTSchema,
  concatAST,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ROOT } from '../paths';
import {
  coordinatesRead,
  resolveBinding,
  selectionDocument,
  SUBJECTS,
  type FieldBinding,
  type SubjectKind,
} from './bindings';

/**
 * The procedure catalogue is data: one YAML file per procedure in `procedures/`, named after its
 * code. Adding a procedure is adding a file; every file is checked at start, shape with zod and
 * bindings against the GraphQL schema, and a bad one stops the gateway with its name and problem.
 */

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const KEY = /^[a-z][A-Za-z0-9]*$/;
const PATH = /^[A-Z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;

const text = z.string().trim().min(1, 'must not be empty');

const fieldFile = z.strictObject({
  key: z.string().regex(KEY, 'must be a camelCase key of letters and digits, e.g. fullName'),
  label: text,
  labelEn: text,
  path: z
    .string()
    .regex(
      PATH,
      'must be a path like Citizen.permanentAddress.text: a type, then fields, joined by "."',
    )
    .optional(),
});

const documentFile = z.strictObject({
  name: text,
  nameEn: text,
  replacedBy: z.array(z.string()).default([]),
  /** The declaration the portal fills in as an electronic form: nothing to upload. */
  onlineForm: z.boolean().default(false),
});

const checkFile = z.strictObject({
  source: text,
  confirms: text,
});

const legalFile = z.strictObject({
  title: text,
  number: text.optional(),
  provisions: text.optional(),
});

const procedureFile = z.strictObject({
  code: z
    .string()
    .regex(CODE, 'must be upper case letters, digits and "_", e.g. BIRTH_REGISTRATION'),
  nationalCode: z
    .string()
    .regex(/^\d\.\d{6}$/, 'must be a national procedure code like 1.001193')
    .nullable()
    .optional(),
  /** Why there is no national code (not confirmed, or none published), with any lead seen. */
  nationalCodeNote: text.optional(),
  name: text,
  nameEn: text,
  subjectKind: z.enum(['CITIZEN', 'ENTERPRISE']),
  subjectRole: text,
  subjectRoleEn: text,
  /** For a bundle (thủ tục liên thông): the catalogue codes of the procedures it joins. */
  bundle: z
    .array(z.string().regex(CODE))
    .min(2, 'a bundle joins at least two procedures')
    .optional(),
  legalBasis: z.array(legalFile).min(1, 'must name at least one law or decree'),
  fields: z.array(fieldFile).default([]),
  documents: z.array(documentFile).default([]),
  /** Where the facts of the file were checked: a URL, or a repository and path. */
  checked: z.array(checkFile).min(1, 'must say where its facts were checked'),
  /** Facts the file states that no public source confirmed. */
  unconfirmed: z.array(text).default([]),
});

/** Where a fact of the catalogue was checked. */
export interface SourceCheck {
  source: string;
  confirms: string;
}

export interface LegalReference {
  title: string;
  number: string | null;
  provisions: string | null;
}

/** A form field; `binding` is null for data no national database holds. */
export interface FieldDefinition {
  key: string;
  label: string;
  labelEn: string;
  path: string | null;
  multiple: boolean;
  binding: FieldBinding | null;
}

/** A document component and the fields whose data replaces it (none: not replaceable). */
export interface DocumentDefinition {
  name: string;
  nameEn: string;
  fields: FieldDefinition[];
  replaceable: boolean;
  onlineForm: boolean;
}

export interface ProcedureDefinition {
  code: string;
  nationalCode: string | null;
  nationalCodeNote: string | null;
  /** For a bundle, the procedures it joins, in order; empty for a single procedure. */
  components: ProcedureDefinition[];
  name: string;
  nameEn: string;
  subjectKind: SubjectKind;
  subjectRole: string;
  subjectRoleEn: string;
  legalBasis: LegalReference[];
  fields: FieldDefinition[];
  documents: DocumentDefinition[];
  documentsReplaced: number;
  documentsTotal: number;
  /** Nothing is left to upload: every component is an online form or replaceable by national data. */
  completableOnline: boolean;
  checked: SourceCheck[];
  unconfirmed: string[];
  /** Field coordinates that `prefill` reads, sorted. */
  reads: string[];
  /** The one document that reads every bound field for `prefill`, checked against the schema. */
  prefillDocument: DocumentNode;
  /** The file it was read from, relative to the repository when inside it. */
  file: string;
}

/** A catalogue file that cannot be used; the message names the file and the problem. */
export class CatalogueError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `Procedure catalogue file ${file} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'CatalogueError';
  }
}

/** The procedures, by catalogue code and by national procedure code. */
export class Catalogue {
  private readonly byCode = new Map<string, ProcedureDefinition>();

  constructor(readonly procedures: readonly ProcedureDefinition[]) {
    for (const procedure of procedures) {
      this.byCode.set(procedure.code, procedure);
      if (procedure.nationalCode) this.byCode.set(procedure.nationalCode, procedure);
    }
  }

  get(code: string): ProcedureDefinition | undefined {
    return this.byCode.get(code);
  }

  codes(): string[] {
    return this.procedures.map((procedure) => procedure.code);
  }

  /** The single procedures, bundles left out. */
  singles(): ProcedureDefinition[] {
    return this.procedures.filter((procedure) => procedure.components.length === 0);
  }

  /** The bundles (thủ tục liên thông). */
  bundles(): ProcedureDefinition[] {
    return this.procedures.filter((procedure) => procedure.components.length > 0);
  }
}

function displayName(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function issuePath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (out, segment) =>
      typeof segment === 'number'
        ? `${out}[${segment}]`
        : out
          ? `${out}.${String(segment)}`
          : String(segment),
    '',
  );
}

type ProcedureFile = z.infer<typeof procedureFile>;

/** Reads one file and checks its shape; throws CatalogueError naming the file. */
function parseProcedureFile(file: string): { name: string; data: ProcedureFile } {
  const name = displayName(file);
  const yaml = parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (yaml.errors.length > 0) {
    // Later errors are usually echoes of the first one, which names the line and column.
    throw new CatalogueError(name, [
      `YAML: ${yaml.errors[0].message.split('\n')[0].replace(/:$/, '')}`,
    ]);
  }
  const parsed = procedureFile.safeParse(yaml.toJS());
  if (!parsed.success) {
    throw new CatalogueError(
      name,
      parsed.error.issues.map((issue) => `${issuePath(issue.path) || '(file)'}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const data = parsed.data;
  const stem = path.basename(file).replace(/\.ya?ml$/, '');
  if (stem !== data.code) problems.push(`code: "${data.code}" must match the file name (${stem})`);
  if (!data.nationalCode && !data.nationalCodeNote)
    problems.push('nationalCodeNote: required when there is no confirmed nationalCode: say why');
  if (!data.bundle) {
    if (data.fields.length === 0) problems.push('fields: must list at least one field');
    if (data.documents.length === 0)
      problems.push('documents: must list at least one document component');
  }
  if (problems.length > 0) throw new CatalogueError(name, problems);
  return { name, data };
}

/**
 * Builds a procedure from its checked file. A bundle's fields and components are the union of
 * those of the procedures it joins, each once (a key must mean the same path in all of them),
 * then its own.
 */
function buildProcedure(
  name: string,
  data: ProcedureFile,
  schema: GraphQLSchema,
  known: ReadonlyMap<string, ProcedureDefinition>,
): ProcedureDefinition {
  const problems: string[] = [];
  const subjectType = SUBJECTS[data.subjectKind].type;
  const fields = new Map<string, FieldDefinition>();
  const documents: DocumentDefinition[] = [];
  const documentNames = new Set<string>();

  const components: ProcedureDefinition[] = [];
  (data.bundle ?? []).forEach((code, index) => {
    const component = known.get(code);
    if (!component) {
      problems.push(`bundle[${index}]: "${code}" is not a procedure of the catalogue`);
      return;
    }
    if (component.components.length > 0)
      problems.push(`bundle[${index}]: "${code}" is a bundle itself; a bundle joins procedures`);
    if (component.subjectKind !== data.subjectKind)
      problems.push(
        `bundle[${index}]: "${code}" is a ${component.subjectKind} procedure, this bundle is ${data.subjectKind}`,
      );
    components.push(component);
    for (const field of component.fields) {
      const seen = fields.get(field.key);
      if (!seen) fields.set(field.key, field);
      else if (seen.path !== field.path)
        problems.push(
          `bundle[${index}]: field "${field.key}" of ${code} reads ${field.path ?? 'nothing'}, another procedure's reads ${seen.path ?? 'nothing'}`,
        );
    }
    for (const document of component.documents) {
      if (documentNames.has(document.name)) continue;
      documentNames.add(document.name);
      documents.push(document);
    }
  });

  data.fields.forEach((field, index) => {
    if (fields.has(field.key)) problems.push(`fields[${index}].key: "${field.key}" appears twice`);
    let binding: FieldBinding | null = null;
    if (field.path) {
      try {
        binding = resolveBinding(field.path, schema);
        if (binding.rootType !== subjectType) {
          problems.push(
            `fields[${index}].path: "${field.path}" must start at ${subjectType}, the subject of a ${data.subjectKind} procedure`,
          );
        }
      } catch (error) {
        problems.push(`fields[${index}].path: ${(error as Error).message}`);
      }
    }
    fields.set(field.key, {
      key: field.key,
      label: field.label,
      labelEn: field.labelEn,
      path: field.path ?? null,
      multiple: binding?.multiple ?? false,
      binding,
    });
  });

  data.documents.forEach((document, index) => {
    if (documentNames.has(document.name))
      problems.push(`documents[${index}].name: "${document.name}" appears twice`);
    documentNames.add(document.name);
    const replacedBy: FieldDefinition[] = [];
    document.replacedBy.forEach((key, keyIndex) => {
      const field = fields.get(key);
      if (!field) {
        problems.push(
          `documents[${index}].replacedBy[${keyIndex}]: "${key}" is not a field of ${data.code} (fields: ${[...fields.keys()].join(', ')})`,
        );
      } else if (!field.path) {
        problems.push(
          `documents[${index}].replacedBy[${keyIndex}]: "${key}" is held by no national database, so it cannot replace "${document.name}"`,
        );
      } else replacedBy.push(field);
    });
    if (document.onlineForm && replacedBy.length > 0)
      problems.push(
        `documents[${index}]: "${document.name}" is an online form; national data fills its fields, it replaces no component`,
      );
    documents.push({
      name: document.name,
      nameEn: document.nameEn,
      fields: replacedBy,
      replaceable: replacedBy.length > 0,
      onlineForm: document.onlineForm,
    });
  });

  const bindings = [...fields.values()].flatMap((field) => (field.binding ? [field.binding] : []));
  const prefillDocument = selectionDocument(data.subjectKind, bindings, 'Prefill');
  if (problems.length === 0) {
    // The paths resolved one by one; this checks the combined document the way execution will.
    for (const error of validate(schema, prefillDocument))
      problems.push(`fields: the combined selection is invalid: ${error.message}`);
  }
  if (problems.length > 0) throw new CatalogueError(name, problems);

  return {
    code: data.code,
    nationalCode: data.nationalCode ?? null,
    nationalCodeNote: data.nationalCodeNote ?? null,
    components,
    name: data.name,
    nameEn: data.nameEn,
    subjectKind: data.subjectKind,
    subjectRole: data.subjectRole,
    subjectRoleEn: data.subjectRoleEn,
    legalBasis: data.legalBasis.map((law) => ({
      title: law.title,
      number: law.number ?? null,
      provisions: law.provisions ?? null,
    })),
    fields: [...fields.values()],
    documents,
    documentsReplaced: documents.filter((document) => document.replaceable).length,
    documentsTotal: documents.length,
    completableOnline: documents.every((document) => document.onlineForm || document.replaceable),
    checked: data.checked,
    unconfirmed: data.unconfirmed,
    reads: coordinatesRead(bindings),
    prefillDocument,
    file: name,
  };
}

/** Reads and checks one procedure file (not a bundle: its components are other files). */
export function loadProcedureFile(file: string, schema: GraphQLSchema): ProcedureDefinition {
  const { name, data } = parseProcedureFile(file);
  return buildProcedure(name, data, schema, new Map());
}

/**
 * Reads every `*.yaml` file of a directory, procedures first and then the bundles that join
 * them; throws on the first invalid file, or on clashes between files.
 */
export function loadCatalogue(dir: string, schema: GraphQLSchema): Catalogue {
  if (!fs.existsSync(dir))
    throw new CatalogueError(displayName(dir), [
      'the procedure catalogue directory does not exist',
    ]);
  const files = fs
    .readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
  if (files.length === 0)
    throw new CatalogueError(displayName(dir), ['the directory holds no procedure file (*.yaml)']);
  const parsed = files.map((file) => parseProcedureFile(path.join(dir, file)));
  const known = new Map<string, ProcedureDefinition>();
  const procedures: ProcedureDefinition[] = [];
  for (const { name, data } of [
    ...parsed.filter((entry) => !entry.data.bundle),
    ...parsed.filter((entry) => entry.data.bundle),
  ]) {
    const procedure = buildProcedure(name, data, schema, known);
    if (!known.has(procedure.code)) known.set(procedure.code, procedure);
    procedures.push(procedure);
  }
  const codes = new Set<string>();
  const nationalCodes = new Map<string, string>();
  for (const procedure of procedures) {
    if (codes.has(procedure.code))
      throw new CatalogueError(procedure.file, [
        `code: "${procedure.code}" is defined by another file too`,
      ]);
    codes.add(procedure.code);
    if (!procedure.nationalCode) continue;
    const other = nationalCodes.get(procedure.nationalCode);
    if (other) {
      throw new CatalogueError(procedure.file, [
        `nationalCode: "${procedure.nationalCode}" is also the national code of ${other}`,
      ]);
    }
    nationalCodes.set(procedure.nationalCode, procedure.code);
  }
  return new Catalogue(procedures.sort((a, b) => a.code.localeCompare(b.code)));
}

/** The schema the catalogue is checked against: the SDL of schema/, without resolvers. */
export function sdlSchema(dir = path.join(ROOT, 'schema')): GraphQLSchema {
  const documents = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  return buildASTSchema(concatAST(documents));
}

export const CATALOGUE_DIR = path.join(ROOT, 'procedures');

let catalogue: Catalogue | undefined;

/** The gateway's catalogue, read from procedures/ once per process. */
export function procedureCatalogue(): Catalogue {
  catalogue ??= loadCatalogue(CATALOGUE_DIR, sdlSchema());
  return catalogue;
}
