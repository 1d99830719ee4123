import type { InsuranceLink } from '../../adapters/insurance';
import type { Resolvers } from '../generated/graphql';
import { mayRead } from '../access/enforcement';
import { requireIdentifier } from '../identifiers';
import { selects } from './lookahead';
import { sourceOf } from './source';

const source = sourceOf('INSURANCE');

/** Whole months from the first month to the last (inclusive), or to this month while open. */
export function monthsBetween(
  fromMonth: string,
  toMonth: string | null,
  today = new Date(),
): number {
  const [fromYear, fromMon] = fromMonth.split('-').map(Number);
  const [toYear, toMon] = toMonth
    ? toMonth.split('-').map(Number)
    : [today.getUTCFullYear(), today.getUTCMonth() + 1];
  return Math.max(0, (toYear - fromYear) * 12 + (toMon - fromMon) + 1);
}

/** Social and health insurance, from the agency's service over HTTP. */
export const insuranceResolvers: Resolvers = {
  Query: {
    insuranceRecord: (_, { socialInsuranceNumber }, ctx) =>
      ctx.loaders.insuranceRecord.load(
        requireIdentifier('socialInsuranceNumber', 'socialInsuranceNumber', socialInsuranceNumber),
      ),
    healthInsuranceCard: (_, { number }, ctx) =>
      ctx.loaders.healthCard.load(requireIdentifier('healthInsuranceCard', 'number', number)),
  },
  Citizen: {
    // The contribution periods and health cards the query reads come with the record, in one call.
    insurance: (citizen, _, ctx, info) => {
      const reads = (field: string) =>
        selects(info, [field]) && mayRead(ctx, 'InsuranceRecord', field);
      const include: InsuranceLink[] = [];
      if (reads('contributions') || reads('contributionMonths')) include.push('contributions');
      if (reads('healthInsuranceCards')) include.push('healthCards');
      return ctx.loaders.insuranceOfCitizen.load(
        include.length > 0 ? { key: citizen.id, links: include } : citizen.id,
      );
    },
  },
  InsuranceRecord: {
    citizen: (record, _, ctx) => ctx.loaders.citizen.load(record.citizenId),
    contributions: (record, _, ctx) => ctx.loaders.contributions.load(record.socialInsuranceNumber),
    contributionMonths: async (record, _, ctx) => {
      const periods = await ctx.loaders.contributions.load(record.socialInsuranceNumber);
      return periods.reduce(
        (sum, period) => sum + monthsBetween(period.fromMonth, period.toMonth),
        0,
      );
    },
    healthInsuranceCards: (record, _, ctx) =>
      ctx.loaders.healthCards.load(record.socialInsuranceNumber),
    source,
  },
  Contribution: {
    employer: (contribution, _, ctx) => ctx.loaders.enterprise.load(contribution.employerCode),
    months: (contribution) => monthsBetween(contribution.fromMonth, contribution.toMonth),
    source,
  },
  HealthInsuranceCard: { source },
};
