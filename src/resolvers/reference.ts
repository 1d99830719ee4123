import type { Resolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { UnitRow } from '../../adapters/reference';
import { requireIdentifier } from '../identifiers';
import { normaliseText } from '../procedures/normalise';
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

/** A unit as answered for a code, remembering a pre-2025 code it was looked up by. */
type UnitParent = UnitRow & { lookedUpBy?: string };

/**
 * Every current unit that took over a pre-2025 unit: the main successor first, then those that
 * took a part of a split commune, with the villages or streets they took.
 */
export async function successorsOf(
  code: string,
  ctx: Context,
): Promise<{ unit: UnitRow; parts: string[] }[]> {
  const main = await currentUnit(code, ctx);
  if (!main) return [];
  const result = [{ unit: main, parts: [] as string[] }];
  if (main.code === code) return result;
  const further = (await ctx.loaders.furtherSuccessors.load(code)) ?? [];
  for (const row of further) {
    let entry = result.find((candidate) => candidate.unit.code === row.successorCode);
    if (!entry) {
      const unit = await ctx.loaders.unit.load(row.successorCode);
      if (!unit) continue;
      entry = { unit, parts: [] };
      result.push(entry);
    }
    entry.parts.push(row.part);
  }
  return result;
}

/** The successor whose village or street the address names, else the main one. */
async function successorFor(code: string, street: string, ctx: Context): Promise<UnitRow | null> {
  const successors = await successorsOf(code, ctx);
  const address = normaliseText(street);
  const named = successors.find((s) =>
    s.parts.some((part) => address.includes(normaliseText(part))),
  );
  return (named ?? successors[0])?.unit ?? null;
}

/** Administrative units, from the catalogue of the General Statistics Office. */
export const referenceResolvers: Resolvers = {
  Query: {
    administrativeUnit: async (_, { code, street }, ctx) => {
      const valid = requireIdentifier('administrativeUnitCode', 'code', code);
      const unit = street ? await successorFor(valid, street, ctx) : await currentUnit(valid, ctx);
      return unit && unit.code !== valid ? { ...unit, lookedUpBy: valid } : unit;
    },
  },
  AdministrativeUnit: {
    level: (unit) => unit.level,
    province: (unit, _, ctx) =>
      unit.provinceCode ? ctx.loaders.unit.load(unit.provinceCode) : null,
    predecessors: async (unit, _, ctx) => (await ctx.loaders.predecessors.load(unit.code)) ?? [],
    successors: async (unit, _, ctx) => {
      const from = (unit as UnitParent).lookedUpBy;
      if (!from) return [unit];
      // The unit answered first, then the others that took part of the old one.
      const all = (await successorsOf(from, ctx)).map((s) => s.unit);
      return [unit, ...all.filter((other) => other.code !== unit.code)];
    },
    source: sourceOf('REFERENCE'),
  },
  LegacyAdministrativeUnit: {
    successors: async (legacy, _, ctx) => (await successorsOf(legacy.code, ctx)).map((s) => s.unit),
  },
};
