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
    insurance: (citizen, _, ctx, info) =>
      (selects(info, ['contributions', 'contributionMonths']) &&
      mayRead(ctx, 'InsuranceRecord', 'contributions')
        ? ctx.loaders.insuranceWithContributionsOfCitizen
        : ctx.loaders.insuranceOfCitizen
      ).load(citizen.id),
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
