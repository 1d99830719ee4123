/** The "enter once" procedures: the catalogue, pre-filled forms and checks of what people typed. */
export {
  Catalogue,
  CatalogueError,
  CATALOGUE_DIR,
  loadCatalogue,
  loadProcedureFile,
  procedureCatalogue,
  sdlSchema,
  type DocumentDefinition,
  type FieldDefinition,
  type LegalReference,
  type SourceCheck,
  type ProcedureDefinition,
} from './catalogue';
export {
  catalogueCounts,
  PREFILL_SERVED,
  provinceCodeOf,
  type CatalogueCounts,
} from './statistics';
export { SUBJECTS, type FieldBinding, type SubjectKind } from './bindings';
export { prefill, type PrefillFieldResult, type PrefillResult } from './prefill';
export {
  checkDeclaration,
  type DeclarationFieldResult,
  type DeclarationResult,
  type DeclaredValue,
} from './declaration';
export { requireProcedure, requireSubjectId, requireValues } from './input';
export {
  APPLICANT_PROVIDES,
  type Execution,
  type FieldReading,
  type UnavailableCause,
} from './read';
