import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query reads any of these fields directly under the current field (through
 * fragments too), so that a resolver can fetch two levels from a source in one call.
 */
export function selects(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const visit = (selectionSet: SelectionSetNode | undefined): boolean =>
    !!selectionSet &&
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return names.includes(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
