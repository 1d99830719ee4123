import type { CitizenRow } from '../../adapters/population';
import type { EnterpriseRow } from '../../adapters/enterprise';
import type { LandRightRow } from '../../adapters/land';
import type { Context } from '../context';
import type { Resolvers } from '../generated/graphql';
import { requireIdentifier } from '../identifiers';
import { rethrow } from './population';
import { sourceOf } from './source';

const source = sourceOf('LAND');

function holderOf(right: LandRightRow, ctx: Context): Promise<CitizenRow | EnterpriseRow | null> {
  return right.holderKind === 'CITIZEN'
    ? ctx.loaders.citizen.load(right.holderId)
    : ctx.loaders.enterprise.load(right.holderId);
}

/** Parcels, rights, certificates and mortgages, from the land database. */
export const landResolvers: Resolvers = {
  Query: {
    landParcel: (_, { id }, ctx) =>
      ctx.loaders.parcel.load(requireIdentifier('landParcelId', 'id', id)),
  },
  Citizen: {
    landRights: (citizen, _, ctx) =>
      ctx.loaders.rightsOfHolder.load({ kind: 'CITIZEN', id: citizen.id }),
  },
  Enterprise: {
    landRights: (enterprise, _, ctx) =>
      ctx.loaders.rightsOfHolder.load({ kind: 'ENTERPRISE', id: enterprise.code }),
  },
  LandParcel: {
    commune: (parcel, _, ctx) => ctx.loaders.unit.load(parcel.communeCode),
    address: (parcel) => ({ street: parcel.street, communeCode: parcel.communeCode }),
    holders: async (parcel, _, ctx) => {
      const rights = await ctx.loaders.rightsOnParcel.load(parcel.id);
      const holders = rethrow(
        await Promise.all(
          rights.map((right) => holderOf(right, ctx).catch((error: Error) => error)),
        ),
      );
      return holders.filter((holder): holder is CitizenRow | EnterpriseRow => holder !== null);
    },
    rights: (parcel, _, ctx) => ctx.loaders.rightsOnParcel.load(parcel.id),
    certificates: (parcel, _, ctx) => ctx.loaders.certificates.load(parcel.id),
    mortgages: (parcel, _, ctx) => ctx.loaders.mortgages.load(parcel.id),
    source,
  },
  LandHolder: {
    // From the key alone, so that a reference to another database's entity resolves too.
    __resolveType: (holder) => ('code' in holder ? 'Enterprise' : 'Citizen'),
  },
  LandRight: {
    holder: (right, _, ctx) => holderOf(right, ctx),
    source,
  },
  LandCertificate: { source },
  Mortgage: { source },
};
