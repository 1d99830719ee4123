import type { Resolvers, TaxpayerKind, TaxRegistrationStatus } from '../generated/graphql';
import { requireIdentifier } from '../identifiers';
import { sourceOf } from './source';

/** Taxpayers and their tax obligations, from the tax registration database (finance). */
export const financeResolvers: Resolvers = {
  Query: {
    taxpayer: (_, { taxCode }, ctx) =>
      ctx.loaders.taxpayer.load(requireIdentifier('taxCode', 'taxCode', taxCode)),
  },
  // Since 1 July 2025 a person's tax code is their personal identification number, and an
  // enterprise's is its enterprise code: the subject's own key is the taxpayer's.
  Citizen: {
    taxpayer: (citizen, _, ctx) => ctx.loaders.taxpayer.load(citizen.id),
  },
  Enterprise: {
    taxpayer: (enterprise, _, ctx) => ctx.loaders.taxpayer.load(enterprise.code),
  },
  Taxpayer: {
    kind: (taxpayer) => taxpayer.kind as TaxpayerKind,
    status: (taxpayer) => taxpayer.status as TaxRegistrationStatus,
    taxOffice: (taxpayer) => taxpayer,
    source: sourceOf('FINANCE'),
  },
  TaxOffice: {
    code: (taxpayer) => taxpayer.taxOfficeCode,
    name: (taxpayer) => taxpayer.taxOfficeName,
    province: (taxpayer, _, ctx) => ctx.loaders.unit.load(taxpayer.taxOfficeProvinceCode),
  },
};
