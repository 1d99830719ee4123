/** The `jose` module's API (an ES module). */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

// jose 6 is an ES module only. A plain `import()` would be compiled to `require()` by the
// CommonJS transpilers in use (ts-jest), which cannot load it; `new Function` keeps a
// real dynamic import in every build, the technique Angular's CLI uses for the same problem.
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

let loading: Promise<Jose> | undefined;

/** Loads `jose` once per process. */
export function loadJose(): Promise<Jose> {
  loading ??= importModule('jose') as Promise<Jose>;
  return loading;
}
