import type { Resolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UnitRow } from '../../adapters/reference';
import { requireIdentifier } from '../identifiers';
import { sourceOf } from './source';

/** A current unit by code; a pre-2025 code is followed to the unit that replaced it. */
export async function currentUnit(code: string, ctx: Context): Promise<UnitRow | null> {
  const current = await ctx.loaders.unit.load(code);
  if (current) return current;
  // A district was replaced by its province, a commune by the commune it merged into; a few
  // hops at most, bounded in case the catalogue ever holds a cycle.
  let legacy = await ctx.loaders.legacyUnit.load(code);
  for (let hop = 0; legacy && hop < 4; hop++) {
    const successor = await ctx.loaders.unit.load(legacy.successorCode);
    if (successor) return successor;
    legacy = await ctx.loaders.legacyUnit.load(legacy.successorCode);
  }
  return null;
}

/** Administrative units, from the catalogue of the General Statistics Office. */
export const referenceResolvers: Resolvers = {
  Query: {
    administrativeUnit: (_, { code }, ctx) =>
      currentUnit(requireIdentifier('administrativeUnitCode', 'code', code), ctx),
  },
  AdministrativeUnit: {
    level: (unit) => unit.level,
    province: (unit, _, ctx) =>
      unit.provinceCode ? ctx.loaders.unit.load(unit.provinceCode) : null,
    predecessors: async (unit, _, ctx) => (await ctx.loaders.predecessors.load(unit.code)) ?? [],
    source: sourceOf('REFERENCE'),
  },
};
