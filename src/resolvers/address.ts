import type { AddressResolvers, LegacyAddressResolvers } from '../generated/graphql';
import type { Context } from '../context';

/** The parent of an `Address`: a street and a current commune, with the pre-2025 commune when known. */
export interface AddressParent {
  street: string;
  communeCode: string;
  legacyCommuneCode?: string | null;
}

/** The parent of a `LegacyAddress`: the pre-2025 commune it resolves from, and the street. */
export interface LegacyAddressParent {
  street: string;
  communeCode: string;
}

async function legacyNames(code: string, ctx: Context) {
  const commune = await ctx.loaders.legacyUnit.load(code);
  const district = commune?.parentCode
    ? await ctx.loaders.legacyUnit.load(commune.parentCode)
    : null;
  const province = district?.parentCode
    ? await ctx.loaders.legacyUnit.load(district.parentCode)
    : null;
  return {
    commune: commune?.name ?? '',
    district: district?.name ?? '',
    province: province?.name ?? '',
  };
}

export const Address: AddressResolvers<Context> = {
  commune: (address, _, ctx) => ctx.loaders.unit.load(address.communeCode),
  province: async (address, _, ctx) => {
    const commune = await ctx.loaders.unit.load(address.communeCode);
    return commune?.provinceCode ? ctx.loaders.unit.load(commune.provinceCode) : null;
  },
  text: async (address, _, ctx) => {
    const commune = await ctx.loaders.unit.load(address.communeCode);
    const province = commune?.provinceCode
      ? await ctx.loaders.unit.load(commune.provinceCode)
      : null;
    return [address.street, commune?.name, province?.name].filter(Boolean).join(', ');
  },
  legacy: (address) =>
    address.legacyCommuneCode
      ? { street: address.street, communeCode: address.legacyCommuneCode }
      : null,
};

export const LegacyAddress: LegacyAddressResolvers<Context> = {
  commune: async (legacy, _, ctx) => (await legacyNames(legacy.communeCode, ctx)).commune,
  district: async (legacy, _, ctx) => (await legacyNames(legacy.communeCode, ctx)).district,
  province: async (legacy, _, ctx) => (await legacyNames(legacy.communeCode, ctx)).province,
  text: async (legacy, _, ctx) => {
    const names = await legacyNames(legacy.communeCode, ctx);
    return [legacy.street, names.commune, names.district, names.province]
      .filter(Boolean)
      .join(', ');
  },
};
