/** One GraphQL call to the gateway that serves the page; the credential stays in memory. */

/** A GraphQL error as the gateway reports it, with its contract code. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Posts an operation with the bearer credential; throws `GatewayError` on any error. */
export async function graphql<T>(
  credential: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${credential}`,
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
    });
  } catch {
    throw new GatewayError('network', 'NETWORK');
  }
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new GatewayError(`HTTP ${response.status}`, 'BAD_RESPONSE');
  }
  if (body.errors && body.errors.length > 0) {
    const [first] = body.errors;
    throw new GatewayError(first.message, first.extensions?.code ?? 'ERROR');
  }
  if (!body.data) throw new GatewayError(`HTTP ${response.status}`, 'BAD_RESPONSE');
  return body.data;
}
