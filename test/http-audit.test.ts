import { serverAudits } from 'graphql-http';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * The GraphQL-over-HTTP specification's audits (graphql-http), run against the gateway as a
 * registered client: every MUST passes. The audits send no credential, so the fetch they use
 * adds the demo portal's.
 */
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(() => t.close());

const authenticated = (input: RequestInfo | URL, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', 'Bearer demo-portal');
  return fetch(input, { ...init, headers });
};

for (const audit of serverAudits({
  url: () => `${t.url}/graphql`,
  fetchFn: authenticated,
})) {
  if (!audit.name.startsWith('MUST')) continue;
  it(audit.name, async () => {
    const result = await audit.fn();
    expect({
      status: result.status,
      reason: 'reason' in result ? result.reason : undefined,
    }).toEqual({ status: 'ok', reason: undefined });
  });
}
