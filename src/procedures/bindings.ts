import {
  getNamedType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type DocumentNode,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { normaliseText } from './normalise';

/** Whose data a procedure is about, and how the gateway reaches that record. */
export type SubjectKind = 'CITIZEN' | 'ENTERPRISE';

export const SUBJECTS = {
  CITIZEN: {
    type: 'Citizen',
    rootField: 'citizen',
    argument: 'id',
    identifier: 'citizenId',
    noun: 'citizen',
  },
  ENTERPRISE: {
    type: 'Enterprise',
    rootField: 'enterprise',
    argument: 'code',
    identifier: 'enterpriseCode',
    noun: 'enterprise',
  },
} as const;

/** How a declared value is compared with the national one, chosen by the leaf's GraphQL type. */
export type ValueKind = 'TEXT' | 'ID' | 'DATE' | 'NUMBER' | 'ENUM' | 'BOOLEAN';

/** One step of a path: a field of an object type. */
export interface BindingStep {
  /** The field name, e.g. `permanentAddress`. */
  field: string;
  /** `Type.field`, as error messages and reasons name it. */
  coordinate: string;
  /** The named type the field returns. */
  typeName: string;
  /** The field returns a list. */
  list: boolean;
  /** The field returns an object that carries its own `source` (a record of a national database). */
  hasSource: boolean;
}

/** A form field's path resolved against the schema, e.g. `Citizen.permanentAddress.text`. */
export interface FieldBinding {
  path: string;
  /** The subject type the path starts at. */
  rootType: string;
  steps: BindingStep[];
  /** Some step returns a list, so the value is a list. */
  multiple: boolean;
  valueKind: ValueKind;
  /** For an enumeration, its values by their normalised Vietnamese description (`nam` -> `MALE`). */
  enumAliases: Record<string, string>;
}

/** Resolves `Type.field.field...` against the schema; throws a message naming the step that fails. */
export function resolveBinding(path: string, schema: GraphQLSchema): FieldBinding {
  const [rootType, ...fields] = path.split('.');
  const root = schema.getType(rootType);
  if (!isObjectType(root))
    throw new Error(`path "${path}" must start with an object type, not "${rootType}"`);
  if (fields.length === 0)
    throw new Error(`path "${path}" must name at least one field of ${rootType}`);
  let type = root;
  const steps: BindingStep[] = [];
  let multiple = false;
  let leaf: GraphQLOutputType | undefined;
  fields.forEach((name, index) => {
    const field = type.getFields()[name];
    if (!field) {
      const known = Object.keys(type.getFields()).join(', ');
      throw new Error(`path "${path}": ${type.name} has no field "${name}" (it has: ${known})`);
    }
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) {
      throw new Error(
        `path "${path}": ${type.name}.${name} needs arguments, which a path cannot give`,
      );
    }
    const list = hasList(field.type);
    multiple ||= list;
    const named = getNamedType(field.type);
    const last = index === fields.length - 1;
    if (last) {
      if (!isLeafType(named)) {
        const known = isObjectType(named)
          ? `; name one of its fields: ${Object.keys(named.getFields()).join(', ')}`
          : '';
        throw new Error(
          `path "${path}" must end at a scalar or enumeration, not at ${named.name}${known}`,
        );
      }
      leaf = named;
    } else if (!isObjectType(named)) {
      throw new Error(
        `path "${path}": ${type.name}.${name} is ${named.name}, which a path cannot cross (only object types; not unions, interfaces or scalars)`,
      );
    }
    steps.push({
      field: name,
      coordinate: `${type.name}.${name}`,
      typeName: named.name,
      list,
      hasSource: isObjectType(named) && 'source' in named.getFields(),
    });
    if (isObjectType(named)) type = named;
  });
  const named = getNamedType(leaf!);
  const enumAliases: Record<string, string> = {};
  if (isEnumType(named)) {
    for (const value of named.getValues()) {
      // Descriptions hold the Vietnamese term first ("Nam.", "Chưa kết hôn."): accept it as typed.
      const term = value.description?.split(' (')[0].replace(/\.$/, '').trim();
      if (term) enumAliases[normaliseText(term)] = value.name;
    }
  }
  return {
    path,
    rootType,
    steps,
    multiple,
    valueKind: valueKindOf(named.name, isEnumType(named)),
    enumAliases,
  };
}

function hasList(type: GraphQLOutputType): boolean {
  if (isListType(type)) return true;
  return isNonNullType(type) ? hasList(type.ofType) : false;
}

function valueKindOf(typeName: string, isEnum: boolean): ValueKind {
  if (isEnum) return 'ENUM';
  switch (typeName) {
    case 'Date':
      return 'DATE';
    case 'Int':
    case 'Float':
      return 'NUMBER';
    case 'ID':
      return 'ID';
    case 'Boolean':
      return 'BOOLEAN';
    default:
      return 'TEXT';
  }
}

/**
 * The field coordinates (`Type.field`) a selection of these bindings reads, `source` included:
 * what a client registered for the procedure must be allowed to read.
 */
export function coordinatesRead(bindings: readonly FieldBinding[]): string[] {
  const read = new Set<string>();
  for (const binding of bindings) {
    read.add(`${binding.rootType}.source`);
    for (const step of binding.steps) {
      read.add(step.coordinate);
      if (step.hasSource) read.add(`${step.typeName}.source`);
    }
  }
  return [...read].sort();
}

/** A node of the selection tree: its children by field name, and whether it selects `source`. */
interface SelectionTree {
  children: Map<string, SelectionTree>;
  source: boolean;
}

function render(tree: SelectionTree): string {
  const parts: string[] = [];
  for (const [field, child] of tree.children) {
    parts.push(child.children.size > 0 || child.source ? `${field} ${render(child)}` : field);
  }
  if (tree.source) parts.push('source { database updatedAt }');
  return `{ ${parts.join(' ')} }`;
}

/** The alias of the subject in the document, so that results and error paths start the same way. */
export const SUBJECT_ALIAS = 'subject';

/**
 * ONE GraphQL document reading every bound field of a procedure for a subject, with
 * `source { database updatedAt }` at each record level so every value carries its provenance:
 *
 *   query Prefill($id: ID!) { subject: citizen(id: $id) { fullName permanentAddress { text } source { ... } } }
 */
export function selectionDocument(
  kind: SubjectKind,
  bindings: readonly FieldBinding[],
  operationName: string,
): DocumentNode {
  const subject = SUBJECTS[kind];
  const root: SelectionTree = { children: new Map(), source: true };
  for (const binding of bindings) {
    let node = root;
    for (const step of binding.steps) {
      let child = node.children.get(step.field);
      if (!child) {
        child = { children: new Map(), source: step.hasSource };
        node.children.set(step.field, child);
      }
      node = child;
    }
  }
  const text = `query ${operationName}($id: ID!) { ${SUBJECT_ALIAS}: ${subject.rootField}(${subject.argument}: $id) ${render(root)} }`;
  return parse(text, { noLocation: true });
}
