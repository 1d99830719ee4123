import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { printSubgraphSdl, SUBGRAPHS, type SubgraphName } from '../subgraph/sdl';

/** One subgraph as the gateway composes it: its name, where it answers, and its SDL. */
export interface SubgraphService {
  name: string;
  url: string;
  sdl: string;
}

/** The composed graph: the supergraph SDL the gateway plans with, and the public schema. */
export interface Composition {
  supergraphSdl: string;
  publicSdl: string;
}

/** Composition failed: the message names each conflict and the subgraphs involved. */
export class CompositionError extends Error {
  constructor(readonly conflicts: string[]) {
    super(`The subgraphs do not compose:\n${conflicts.map((line) => `- ${line}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/** Composes the subgraphs with Federation 2 rules, or throws a CompositionError. */
export function compose(services: readonly SubgraphService[]): Composition {
  const result = composeServices(
    services.map((service) => ({
      name: service.name,
      url: service.url,
      typeDefs: parse(service.sdl),
    })),
  );
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return { supergraphSdl: result.supergraphSdl, publicSdl: result.publicSdl };
}

/** Asks a running subgraph for its SDL (`_service { sdl }`), failing with its name and URL. */
export async function fetchSubgraphSdl(
  name: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`subgraph ${name} at ${url} did not answer: ${String(error)}`, {
      cause: error,
    });
  }
  const body = (await response.json().catch(() => null)) as {
    data?: { _service?: { sdl?: string } };
  } | null;
  const sdl = body?.data?._service?.sdl;
  if (!response.ok || typeof sdl !== 'string') {
    throw new Error(`subgraph ${name} at ${url} gave no SDL (HTTP ${response.status})`);
  }
  return sdl;
}

/** The URL each subgraph answers on in the committed supergraph, ports 4101 onwards. */
export function defaultSubgraphUrls(): Record<SubgraphName, string> {
  return Object.fromEntries(
    SUBGRAPHS.map((name, index) => [name, `http://127.0.0.1:${4101 + index}/graphql`]),
  ) as Record<SubgraphName, string>;
}

/** The subgraphs as this checkout's schema/ defines them, at the given URLs. */
export function localServices(
  urls: Record<SubgraphName, string> = defaultSubgraphUrls(),
): SubgraphService[] {
  return SUBGRAPHS.map((name) => ({ name, url: urls[name], sdl: printSubgraphSdl(name) }));
}
