import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** The selection sets of the fields named `name` in these sets, through fragments too. */
function childSets(
  info: GraphQLResolveInfo,
  sets: readonly SelectionSetNode[],
  name: string,
): SelectionSetNode[] {
  const found: SelectionSetNode[] = [];
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name && selection.selectionSet)
          found.push(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else visit(info.fragments[selection.name.value]?.selectionSet);
    }
  };
  sets.forEach(visit);
  return found;
}

/**
 * Whether the query reads any of these fields under the current field (through fragments
 * too), directly or, with `under`, below that path of fields, so that a resolver can fetch the
 * records linked in the same source in one call.
 */
export function selects(
  info: GraphQLResolveInfo,
  names: readonly string[],
  under: readonly string[] = [],
): boolean {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const step of under) sets = childSets(info, sets, step);
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return names.includes(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return sets.some(visit);
}
