import type { EnterpriseLink } from '../../adapters/enterprise';
import type { CitizenRow } from '../../adapters/population';
import { mayRead } from '../access/enforcement';
import type { EnterpriseStatus, Resolvers } from '../generated/graphql';
import { requireIdentifier } from '../identifiers';
import { selects } from './lookahead';
import { citizenKey, rethrow } from './population';
import { sourceOf } from './source';

const source = sourceOf('ENTERPRISE');

/** Enterprises, their people, business lines and branches, from the business registration database. */
export const enterpriseResolvers: Resolvers = {
  Query: {
    enterprise: (_, { code }, ctx, info) => {
      // A dependent unit's code names its enterprise: the first 10 digits.
      const valid = requireIdentifier('enterpriseCode', 'code', code).slice(0, 10);
      // The business lines and people the query reads come with the enterprise, in one call.
      const reads = (field: string) => selects(info, [field]) && mayRead(ctx, 'Enterprise', field);
      const links: EnterpriseLink[] = [];
      if (reads('businessLines')) links.push('businessLines');
      if (reads('representatives') || reads('people')) links.push('roles');
      return ctx.loaders.enterprise.load(links.length > 0 ? { key: valid, links } : valid);
    },
    branch: (_, { code }, ctx) =>
      ctx.loaders.branch.load(requireIdentifier('branchCode', 'code', code)),
  },
  Citizen: {
    enterprises: (citizen, _, ctx) => ctx.loaders.rolesOfCitizen.load(citizen.id),
  },
  Enterprise: {
    type: (enterprise) => enterprise,
    status: (enterprise) => enterprise.status as EnterpriseStatus,
    headOffice: (enterprise) => ({
      street: enterprise.headOfficeStreet,
      communeCode: enterprise.headOfficeCommuneCode,
    }),
    representatives: async (enterprise, _, ctx, info) => {
      const roles = await ctx.loaders.rolesInEnterprise.load(enterprise.code);
      const ids = roles
        .filter((role) => role.role === 'LEGAL_REPRESENTATIVE')
        .map((role) => role.citizenId);
      const citizens = rethrow(
        await ctx.loaders.citizen.loadMany(ids.map((id) => citizenKey(id, info, ctx))),
      );
      return citizens.filter((citizen): citizen is CitizenRow => citizen !== null);
    },
    people: (enterprise, _, ctx) => ctx.loaders.rolesInEnterprise.load(enterprise.code),
    businessLines: (enterprise, _, ctx) => ctx.loaders.businessLines.load(enterprise.code),
    branches: (enterprise, _, ctx) => ctx.loaders.branches.load(enterprise.code),
    source,
  },
  EnterpriseType: {
    code: (enterprise) => enterprise.typeCode,
    name: (enterprise) => enterprise.typeName,
  },
  EnterpriseRole: {
    role: (role) => role.role as 'LEGAL_REPRESENTATIVE' | 'OWNER' | 'MEMBER' | 'SHAREHOLDER',
    citizen: (role, _, ctx) => ctx.loaders.citizen.load(role.citizenId),
    source: (role) => source({ updatedAt: role.roleUpdatedAt }),
  },
  BusinessLine: {
    name: async (line, _, ctx) =>
      (await ctx.loaders.industryCode.load(line.code))?.name ?? line.code,
  },
  Branch: {
    address: (branch) => ({ street: branch.street, communeCode: branch.communeCode }),
    status: (branch) => branch.status as EnterpriseStatus,
    enterprise: async (branch, _, ctx) => {
      const enterprise = await ctx.loaders.enterprise.load(branch.enterpriseCode);
      if (!enterprise) throw new Error(`branch ${branch.code} names a missing enterprise`);
      return enterprise;
    },
    source,
  },
};
