import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';

/** Where each national database's subgraph answers: POPULATION_SUBGRAPH_URL, ... (all required). */
export function subgraphUrlsFrom(env: NodeJS.ProcessEnv): Record<DatabaseName, string> {
  const missing = NATIONAL_DATABASES.filter((name) => !env[subgraphUrlVariable(name)]);
  if (missing.length > 0) {
    throw new Error(
      `The federated gateway needs every subgraph's URL (missing: ${missing.map(subgraphUrlVariable).join(', ')})`,
    );
  }
  return Object.fromEntries(
    NATIONAL_DATABASES.map((name) => [name, env[subgraphUrlVariable(name)] as string]),
  ) as Record<DatabaseName, string>;
}

/** The variable naming one subgraph's URL, e.g. CIVIL_SERVICE_SUBGRAPH_URL. */
export function subgraphUrlVariable(name: DatabaseName): string {
  return `${name.toUpperCase()}_SUBGRAPH_URL`;
}
