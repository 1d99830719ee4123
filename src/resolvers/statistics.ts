import type { AuditLog } from '../audit';
import type { UnitRow } from '../../adapters/reference';
import type { Resolvers } from '../generated/graphql';
import { badUserInput } from '../errors';
import { catalogueCounts, procedureCatalogue, PREFILL_SERVED, provinceCodeOf } from '../procedures';
import { currentUnit } from './reference';

function toDate(name: string, value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw badUserInput(name, 'an ISO 8601 instant', String(value));
  return date;
}

/** `catalogueStatistics`: counts from the catalogue, and pre-filled forms served from the access log. */
export function createStatisticsResolvers(audit: AuditLog): Resolvers {
  const catalogue = procedureCatalogue();
  return {
    Query: {
      catalogueStatistics: () => catalogueCounts(catalogue),
    },
    CatalogueStatistics: {
      prefillsServed: async (_, { from, to }, ctx) => {
        const rows = await audit.countsWithField(PREFILL_SERVED, {
          from: toDate('from', from),
          to: toDate('to', to),
        });
        // Several old provinces merged into one: their counts add up under the current one.
        const counts = new Map<
          string,
          { procedure: string; province: UnitRow | null; count: number }
        >();
        for (const row of rows) {
          const procedure = row.purpose ? catalogue.get(row.purpose) : undefined;
          if (!procedure) continue;
          const code = provinceCodeOf(procedure, row.subjectPrefix);
          const province = code ? await currentUnit(code, ctx) : null;
          const key = `${procedure.code}|${province?.code ?? ''}`;
          const entry = counts.get(key) ?? { procedure: procedure.code, province, count: 0 };
          entry.count += row.count;
          counts.set(key, entry);
        }
        return [...counts.values()]
          .sort(
            (a, b) =>
              a.procedure.localeCompare(b.procedure) ||
              (a.province?.code ?? '').localeCompare(b.province?.code ?? ''),
          )
          .map((entry) => ({
            procedure: catalogue.get(entry.procedure)!,
            province: entry.province,
            count: entry.count,
          }));
      },
    },
  };
}
