import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * The embedded default runs a witness in process, over an embedded database of its own: the
 * gateway's checkpoints reach it and `verifyAuditChain` reports it. On PostgreSQL without
 * AUDIT_WITNESS_URL there is none, and the report says so with an empty list.
 */
const AUDITOR = { authorization: 'Bearer demo-auditor' };
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

it('sends the checkpoints to the witness it runs and reports it in verifyAuditChain', async () => {
  const { rows } = await t
    .db('population')
    .raw<{ rows: { id: string }[] }>('SELECT id FROM population.citizens ORDER BY id LIMIT 5');
  for (const { id } of rows) {
    const response = await t.graphql('query ($id: ID!) { citizen(id: $id) { fullName } }', { id });
    expect(response.status).toBe(200);
  }
  await t.gateway.audit.checkpoint();
  const embedded = t.gateway.sources?.connections.embedded;
  const deadline = Date.now() + 5000;
  while (embedded && t.gateway.audit.witnessStatus()[0]?.backlog !== 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const status = t.gateway.audit.witnessStatus();
  const report = await t.graphql(
    '{ verifyAuditChain { ok problem witnesses { url ok reachable lastWitnessedSequence checkedCheckpoints } } }',
    {},
    AUDITOR,
  );
  const verified = (report.body.data as { verifyAuditChain: Record<string, unknown> })
    .verifyAuditChain;
  if (!embedded) {
    expect(status).toEqual([]);
    expect(verified.witnesses).toEqual([]);
    return;
  }
  expect(status).toHaveLength(1);
  expect(status[0]).toMatchObject({ state: 'up', backlog: 0, lastError: null });
  expect(status[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const head = await t
    .db('population')
    .raw<{ rows: { seq: string }[] }>('SELECT checkpoint_seq::text AS seq FROM audit.head');
  expect(status[0].lastWitnessedSequence).toBe(head.rows[0].seq);
  expect(verified).toMatchObject({
    ok: true,
    problem: null,
    witnesses: [
      {
        url: status[0].url,
        ok: true,
        reachable: true,
        lastWitnessedSequence: head.rows[0].seq,
      },
    ],
  });
});
