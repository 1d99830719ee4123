import type { SubgraphProcesses } from './subgraphs';

/** Stops the subgraph processes the federated run started in global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { testSubgraphs?: SubgraphProcesses }).testSubgraphs?.close();
}
