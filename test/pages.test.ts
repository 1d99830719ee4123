/**
 * The auditor's console and the citizen's page, in Debian's chromium driven by playwright-core,
 * against the gateway over real HTTP; and how the gateway serves their files.
 */
import fs from 'node:fs';
import http from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { issueCitizenToken } from '../mocks/vneid/issuer';
import { AuditInsights, NO_WITNESS_MESSAGE } from '../src/audit/insights';
import type { AuditWitnessStatus } from '../src/audit/types';
import { CONTENT_SECURITY_POLICY } from '../src/pages';
import { startTestGatewayWithOwnLog, type TestGatewayWithOwnLog } from './support/gateway';

// The browser globals that functions run in the page use; this test's own lib has no DOM.
declare const window: {
  localStorage: { length: number };
  sessionStorage: { length: number };
  innerWidth: number;
};
declare const document: {
  cookie: string;
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): { length: number };
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AUDITOR = { authorization: 'Bearer demo-auditor' };
const EKYC = { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' };
const RUN = `pages-${Date.now().toString(36)}`;

let t: TestGatewayWithOwnLog;
let browser: Browser;
let citizens: string[];
/** Requests the pages tried to send off the machine; every test asserts there were none. */
const offMachine: string[] = [];

/** A raw GET, so that the path reaches the server exactly as written (no URL normalising). */
function rawGet(
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The positions of the entries the console's table shows. */
async function seqsShown(page: Page): Promise<number[]> {
  await page.locator('tbody tr').first().waitFor();
  return page
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => Number((row as unknown as { dataset: { seq: string } }).dataset.seq)),
    );
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  // Only loopback may be reached; anything else fails the request and the test.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (
      ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ||
      url.protocol === 'blob:' ||
      url.protocol === 'data:'
    ) {
      return route.continue();
    }
    offMachine.push(url.href);
    return route.abort();
  });
  page.on('pageerror', (error) => offMachine.push(`page error: ${error.message}`));
  return page;
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed for the page tests: install Debian's chromium (${CHROMIUM}) or set CHROMIUM_PATH`,
    );
  }
  // The console's tests tamper with the log: no other file verifies this log meanwhile.
  t = await startTestGatewayWithOwnLog('pages');
  const demo = await fetch(`${t.url}/my-data/demo-sign-in`);
  // On PostgreSQL the gateway is not the embedded default: the tests sign citizens in themselves.
  citizens = demo.ok
    ? ((await demo.json()) as { citizens: string[] }).citizens
    : (
        await t.db('population').raw('SELECT id FROM population.citizens ORDER BY id LIMIT 6')
      ).rows.map((row: { id: string }) => row.id);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

afterEach(() => {
  expect(offMachine).toEqual([]);
});

describe('serving the pages', () => {
  it('serves both pages with a strict policy and their assets with long caching', async () => {
    for (const path of ['/console', '/my-data', '/console/']) {
      const page = await rawGet(path);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).not.toMatch(
        /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>|https?:\/\//,
      );
      const script = /src="(\/pages\/assets\/[^"]+\.js)"/.exec(page.body)![1];
      const asset = await rawGet(script);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(asset.headers['cache-control']).toContain('immutable');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('answers 404 for unknown assets and any way out of the build directory', async () => {
    for (const path of [
      '/pages/assets/nothing-here.js',
      '/pages/assets/../../package.json',
      '/pages/assets/..%2F..%2Fpackage.json',
      '/pages/..%2fsrc%2fpages.ts',
      '/pages/assets/.built',
      '/pages/%2e%2e/%2e%2e/package.json',
      '/pages/assets/console.js%00.png',
      '/pages/console/index.html/',
    ]) {
      const response = await rawGet(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body).not.toContain('"name"');
    }
    expect((await rawGet('/console', 'POST')).status).toBe(405);
  });
});

describe('the auditor console', () => {
  const subject = () => citizens[1];

  beforeAll(async () => {
    // Three reads of one citizen under one case, and enough other entries for two pages.
    for (let i = 0; i < 3; i += 1) {
      const { body } = await t.graphql(`{ citizen(id: "${subject()}") { fullName } }`, undefined, {
        'x-case-id': `${RUN}-case`,
        'x-request-id': `${RUN}-read-${i}`,
      });
      expect(body.errors).toBeUndefined();
    }
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.graphql(`{ citizen(id: "${citizens[i % 6]}") { dateOfBirth } }`, undefined, {
          'x-request-id': `${RUN}-fill-${i}`,
        }),
      ),
    );
  });

  async function signIn(page: Page) {
    await page.goto(`${t.url}/console`);
    await page.getByLabel('Khóa API của đơn vị kiểm toán').fill('demo-auditor');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Nhật ký truy cập' }).waitFor();
  }

  it('keeps out a key that is not an auditor’s, and keeps the key out of storage', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/console`);
    await page.getByLabel('Khóa API của đơn vị kiểm toán').fill('demo-portal');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('FORBIDDEN');
    await signIn(page);
    const stored = await page.evaluate(() => ({
      local: window.localStorage.length,
      session: window.sessionStorage.length,
      cookie: document.cookie,
    }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
    await page.context().close();
  });

  it('filters by subject, pages, opens an entry and exports the filter to CSV', async () => {
    const page = await newPage();
    await signIn(page);
    await page.locator('tbody tr').first().waitFor();

    // Paging: the second page holds other, older entries.
    const firstSeqs = await seqsShown(page);
    expect(firstSeqs).toHaveLength(50);
    await page.getByRole('button', { name: 'Trang sau' }).click();
    await page.getByText('Trang 2').waitFor();
    const secondSeqs = await seqsShown(page);
    expect(Math.max(...secondSeqs)).toBeLessThan(Math.min(...firstSeqs));
    await page.getByRole('button', { name: 'Trang trước' }).click();
    await page.getByText('Trang 1').waitFor();

    // Filter by subject and case: exactly the three reads.
    await page.getByLabel('Mã đối tượng').fill(subject());
    await page.getByLabel('Số hồ sơ').fill(`${RUN}-case`);
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 3);
    await expect(page.locator('tbody').textContent()).resolves.toContain(subject());

    // Export: the same three entries, every column.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Xuất CSV' }).click();
    const csv = fs.readFileSync((await (await download).path()) as string, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'seq,requestId,at,client,actor,purpose,caseId,operation,documentHash,subjects,fields,denied,outcome,durationMs,restrictedUntil,previousHash,hash',
    );
    expect(lines).toHaveLength(4);
    expect(
      lines.slice(1).every((line) => line.includes(subject()) && line.includes(`${RUN}-case`)),
    ).toBe(true);

    // One entry in full: fields, hashes, and no pretend subgraph entries.
    const seq = await page.locator('tbody tr').first().getAttribute('data-seq');
    await page.getByRole('button', { name: `Chi tiết mục ${seq}` }).click();
    const detail = page.locator('section[aria-labelledby="entry-title"]');
    await detail.getByText('Citizen.fullName').waitFor();
    const text = (await detail.textContent()) as string;
    const { rows } = await t.auditDb.raw(
      'SELECT hash, previous_hash, document_hash FROM audit.entries WHERE seq = ?',
      [seq],
    );
    expect(text).toContain(rows[0].hash);
    expect(text).toContain(rows[0].previous_hash);
    expect(text).toContain(rows[0].document_hash);
    await expect(page.getByTestId('subgraphs-absent').textContent()).resolves.toContain(
      'federation',
    );

    // In English on request.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await detail.getByText('Fields returned').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Next page' }).waitFor();
    await page.context().close();
  });

  it('flags a tampered chain and names the first broken entry', async () => {
    const db = t.auditDb;
    const { rows } = await db.raw(
      `SELECT seq::text AS seq, purpose FROM audit.entries WHERE client_request_id = ?`,
      [`${RUN}-read-1`],
    );
    const [{ seq, purpose }] = rows as { seq: string; purpose: string }[];
    const page = await newPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Kiểm tra chuỗi băm' }).click();
    try {
      await db.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica');
        await trx.raw(`UPDATE audit.entries SET purpose = 'FORGED' WHERE seq = ?::bigint`, [seq]);
      });
      await page.getByRole('button', { name: 'Kiểm tra chuỗi', exact: true }).click();
      await page.locator('[data-chain]').waitFor({ timeout: 30_000 });
    } finally {
      await db.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica');
        await trx.raw(`UPDATE audit.entries SET purpose = ? WHERE seq = ?::bigint`, [purpose, seq]);
      });
    }
    expect(await page.locator('[data-chain]').getAttribute('data-chain')).toBe('broken');
    await expect(page.locator('[data-chain]').textContent()).resolves.toContain('Chuỗi bị phá vỡ');
    // Another test file may tamper with an earlier entry meanwhile; never a later one first.
    const broken = (await page.getByTestId('first-broken').textContent()) as string;
    expect(Number(/^\d+/.exec(broken)![0])).toBeLessThanOrEqual(Number(seq));
    await page.getByRole('button', { name: /^Mở mục/ }).click();
    await page.locator('section[aria-labelledby="entry-title"] dl').waitFor();
    await page.context().close();
  });

  it('draws the charts and lists unusual patterns from logged operations', async () => {
    // A procedure's purpose reading a field its procedure does not bind.
    const { body } = await t.graphql(
      `{ citizen(id: "${citizens[2]}") { fullName insurance { socialInsuranceNumber } } }`,
      undefined,
      {
        'x-purpose': 'BIRTH_REGISTRATION',
        'x-request-id': `${RUN}-unbound`,
      },
    );
    expect(body.errors).toBeUndefined();
    const page = await newPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Biểu đồ' }).click();
    for (const chart of ['volumeByClient', 'volumeByPurpose']) {
      await page.locator(`[data-chart="${chart}"] canvas`).waitFor();
    }
    await expect(page.locator('[data-chart="volumeByClient"]').textContent()).resolves.toContain(
      'demo-portal',
    );
    await page.getByRole('button', { name: 'Dấu hiệu bất thường' }).click();
    const unbound = page
      .locator('[data-kind="UNBOUND_FIELDS"]')
      .filter({ hasText: 'BIRTH_REGISTRATION' });
    await unbound.waitFor();
    await expect(unbound.textContent()).resolves.toContain('Citizen.insurance');
    await unbound.getByRole('button').click();
    await page.locator('#filter-purpose').waitFor();
    expect(await page.locator('#filter-purpose').inputValue()).toBe('BIRTH_REGISTRATION');
    await page.context().close();

    // Each of those reads is itself in the log.
    const logged = await t.graphql<{ auditLog: { edges: { node: { operation: string } }[] } }>(
      `{ auditLog(filter: { client: "demo-auditor" }, first: 100) { edges { node { operation } } } }`,
      undefined,
      AUDITOR,
    );
    const operations = logged.body.data!.auditLog.edges.map((edge) => edge.node.operation);
    expect(operations).toEqual(
      expect.arrayContaining(['ConsoleCharts', 'ConsoleAnomalies', 'ConsoleAuditLog']),
    );
  });
});

interface CheckpointMark {
  sequence: string;
  at: string | null;
}
interface Witnessing {
  headSequence: string;
  newestCheckpoint: CheckpointMark | null;
  witnesses: {
    url: string;
    keyName: string;
    keyId: string;
    state: string;
    lastCosigned: CheckpointMark | null;
    backlog: number;
    unwitnessedEntries: number;
    lastError: string | null;
    message: string;
  }[];
  message: string;
}
const WITNESSES = `{ auditWitnesses { headSequence message newestCheckpoint { sequence at }
  witnesses { url keyName keyId state lastCosigned { sequence at } backlog unwitnessedEntries lastError message } } }`;

async function witnessing(): Promise<Witnessing> {
  const { body } = await t.graphql<{ auditWitnesses: Witnessing }>(WITNESSES, undefined, AUDITOR);
  expect(body.errors).toBeUndefined();
  return body.data!.auditWitnesses;
}

/** Logs a read, checkpoints it, and waits until the witness (if any) has cosigned it. */
async function checkpointWitnessed(): Promise<void> {
  await t.graphql(`{ citizen(id: "${citizens[3]}") { fullName } }`);
  await t.gateway.audit.flush();
  await t.gateway.audit.checkpoint();
  const deadline = Date.now() + 5000;
  while (t.gateway.audit.witnessStatus().some((w) => w.backlog > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the witnesses of the access log', () => {
  const embedded = () => !!t.gateway.sources?.connections.embedded;

  it('are in the console: each witness, its key, the newest checkpoint it cosigned and its state', async () => {
    await checkpointWitnessed();
    const before = await witnessing();
    const page = await newPage();
    await page.goto(`${t.url}/console`);
    await page.getByLabel('Khóa API của đơn vị kiểm toán').fill('demo-auditor');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    // The panel shows exactly what the gateway answered to its own request.
    const answered = page.waitForResponse(
      (response) =>
        response.url().endsWith('/graphql') &&
        (response.request().postData() ?? '').includes('ConsoleWitnesses'),
    );
    await page.getByRole('button', { name: 'Nhân chứng' }).click();
    const shown = ((await (await answered).json()) as { data: { auditWitnesses: Witnessing } }).data
      .auditWitnesses;
    const logCheckpoint = page.getByTestId('log-checkpoint');
    await logCheckpoint.waitFor();
    const after = await witnessing();
    expect(await logCheckpoint.getAttribute('data-sequence')).toBe(
      shown.newestCheckpoint!.sequence,
    );
    expect(BigInt(shown.newestCheckpoint!.sequence)).toBeGreaterThanOrEqual(
      BigInt(before.newestCheckpoint!.sequence),
    );

    if (!embedded()) {
      // On PostgreSQL without AUDIT_WITNESS_URL there is none, and the console says what that means.
      expect([before.witnesses, shown.witnesses, after.witnesses]).toEqual([[], [], []]);
      expect(shown.message).toBe(NO_WITNESS_MESSAGE);
      await expect(page.getByTestId('no-witness').textContent()).resolves.toContain(
        'không thể phát hiện việc xóa phần cuối nhật ký',
      );
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await expect(page.getByTestId('no-witness').textContent()).resolves.toContain(
        'a dropped tail cannot be detected',
      );
      await page.context().close();
      return;
    }

    // The embedded default runs one witness in process: the one the gateway sends to.
    const [status] = t.gateway.audit.witnessStatus();
    expect(shown.witnesses).toHaveLength(1);
    const [witness] = shown.witnesses;
    expect(witness).toMatchObject({
      url: status.url,
      keyName: 'embedded-witness.localhost/ndg',
      keyId: status.keyId,
      lastError: null,
    });
    expect(witness.keyId).toMatch(/^[0-9a-f]{8}$/);
    // The console's own requests are logged and checkpointed as it runs: up to date, or a moment behind.
    expect(['UP_TO_DATE', 'BEHIND']).toContain(witness.state);
    const card = page.locator(`[data-witness="${witness.url}"]`);
    expect(await card.getAttribute('data-state')).toBe(witness.state);
    const text = (await card.textContent()) as string;
    expect(text).toContain(witness.url);
    expect(text).toContain(`${witness.keyName} (${witness.keyId})`);
    expect(text).toContain(witness.state === 'UP_TO_DATE' ? 'Đã cập nhật' : 'Đang chậm');
    // The sequence shown is the one GraphQL answered, between the answers before and after.
    const cosigned = card.getByTestId('last-cosigned');
    const sequence = witness.lastCosigned!.sequence;
    expect(await cosigned.getAttribute('data-sequence')).toBe(sequence);
    await expect(cosigned.textContent()).resolves.toContain(`mục ${sequence}`);
    const seqOf = (view: Witnessing) => BigInt(view.witnesses[0].lastCosigned!.sequence);
    expect(seqOf(before)).toBeLessThanOrEqual(BigInt(sequence));
    expect(BigInt(sequence)).toBeLessThanOrEqual(seqOf(after));
    expect(BigInt(sequence)).toBeLessThanOrEqual(BigInt(shown.newestCheckpoint!.sequence));
    await expect(card.getByTestId('witness-backlog').textContent()).resolves.toBe(
      String(witness.backlog),
    );
    // It is a checkpoint the log signed, at the time the panel gives.
    const { rows } = await t.auditDb.raw('SELECT at FROM audit.checkpoints WHERE seq = ?::bigint', [
      sequence,
    ]);
    expect(new Date(witness.lastCosigned!.at!).getTime()).toBe(new Date(rows[0].at).getTime());
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await card.getByText(witness.state === 'UP_TO_DATE' ? 'Up to date' : 'Behind').waitFor();
    await page.context().close();
  });

  it('are told up to date, behind, unreachable or forked from what each holds against the log', async () => {
    await checkpointWitnessed();
    await checkpointWitnessed();
    const { rows } = await t.auditDb.raw<{ rows: { seq: string }[] }>(
      // Ordered by the bigint column, not by the text it is selected as ('9' > '10').
      'SELECT seq::text AS seq FROM audit.checkpoints ORDER BY checkpoints.seq DESC LIMIT 2',
    );
    const [newest, previous] = rows.map((row) => row.seq);
    const witness = (fields: Partial<AuditWitnessStatus>): AuditWitnessStatus => ({
      url: 'http://witness.example',
      keyName: 'witness.example/key',
      keyId: '0a1b2c3d',
      state: 'up',
      refused: false,
      backlog: 0,
      lastWitnessedSequence: newest,
      lastError: null,
      ...fields,
    });
    const statuses = [
      witness({}),
      witness({ lastWitnessedSequence: previous, backlog: 1 }),
      witness({
        state: 'down',
        lastWitnessedSequence: previous,
        lastError: 'connect ECONNREFUSED',
      }),
      witness({ refused: true, lastError: 'refused checkpoint 12 (HTTP 409): conflict' }),
      witness({ lastWitnessedSequence: String(BigInt(newest) + 1000n) }),
      witness({ state: 'down', lastWitnessedSequence: null, lastError: 'not contacted yet' }),
    ];
    const view = await new AuditInsights(t.gateway.audit.database).witnesses(statuses);
    // Other test files share the log on PostgreSQL: it may have moved on since `newest`.
    const moved = view.newestCheckpoint!.sequence !== newest;
    const { rows: counts } = await t.auditDb.raw<{ rows: { n: number }[] }>(
      `SELECT count(*) FILTER (WHERE seq > ?::bigint)::int AS n FROM audit.checkpoints
       UNION ALL SELECT count(*) FILTER (WHERE seq > ?::bigint)::int FROM audit.checkpoints
       UNION ALL SELECT count(*)::int FROM audit.checkpoints`,
      [newest, previous],
    );
    const [afterNewest, afterPrevious, all] = counts.map((row) => row.n);
    const head = BigInt(view.headSequence);
    expect(
      view.witnesses.map((w) => [w.state, w.lastCosigned?.sequence ?? null, w.backlog]),
    ).toEqual([
      [moved ? 'BEHIND' : 'UP_TO_DATE', newest, afterNewest],
      ['BEHIND', previous, afterPrevious],
      ['UNREACHABLE', previous, afterPrevious],
      ['FORKED', newest, afterNewest],
      ['FORKED', String(BigInt(newest) + 1000n), 0],
      ['UNREACHABLE', null, all],
    ]);
    expect(afterPrevious).toBeGreaterThanOrEqual(1);
    expect(view.witnesses[1].unwitnessedEntries).toBe(Number(head - BigInt(previous)));
    expect(view.witnesses[4].lastCosigned!.at).toBeNull();
    expect(view.witnesses[4].message).toContain("the log's tail was dropped");
    expect(view.witnesses[3].message).toContain('refused');
    expect(view.witnesses[2].message).toContain('connect ECONNREFUSED');

    const none = await new AuditInsights(t.gateway.audit.database).witnesses([]);
    expect(none).toMatchObject({ witnesses: [], message: NO_WITNESS_MESSAGE });
  });

  it('are for auditors only', async () => {
    const { body } = await t.graphql(WITNESSES, undefined, { 'x-purpose': 'DEMO' });
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the citizen page', () => {
  it('shows my data and who read it; a revoked consent stops the bank', async () => {
    const citizen = citizens[5];
    const query = `{ citizen(id: "${citizen}") { fullName dateOfBirth } }`;
    const page = await newPage();
    const signIn = async () => {
      await page.goto(`${t.url}/my-data`);
      if (process.env.TEST_DATABASE_URL) {
        // No demo sign-in outside the embedded default: paste a token of the mock VNeID.
        await page
          .getByLabel('Mã xác thực danh tính công dân (VNeID)')
          .fill(await issueCitizenToken(citizen));
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
      } else {
        await page.getByLabel('Công dân mẫu (số định danh)').selectOption(citizen);
        await page.getByRole('button', { name: 'Đăng nhập' }).first().click();
      }
      await page.getByTestId('full-name').waitFor();
    };
    await signIn();
    const name = (
      await t.graphql<{ citizen: { fullName: string } }>(
        `{ citizen(id: "${citizen}") { fullName } }`,
      )
    ).body.data!.citizen.fullName;
    await expect(page.getByTestId('full-name').textContent()).resolves.toBe(name);
    await page.locator('[data-source="POPULATION"]').first().waitFor();

    // Grant the bank's consent with the form (its defaults are the bank's eKYC fields).
    await page.getByRole('button', { name: 'Đồng ý', exact: true }).click();
    await page.getByText('Đã ghi nhận sự đồng ý.').waitFor();
    const read = await t.graphql(query, undefined, EKYC);
    expect(read.body.errors).toBeUndefined();

    // The bank's read shows up; revoke, and the bank's next request is refused.
    await signIn();
    await page.locator('tr[data-client="demo-ekyc"]').first().waitFor();
    await expect(
      page.locator('tr[data-client="demo-ekyc"]').first().textContent(),
    ).resolves.toContain('EKYC');
    await page
      .getByRole('button', { name: 'Thu hồi sự đồng ý cho demo-ekyc (EKYC)' })
      .first()
      .click();
    await page.getByText('Đã thu hồi sự đồng ý.').waitFor();
    const refused = await t.graphql(query, undefined, EKYC);
    expect(refused.body.errors![0].extensions!.code).toBe('CONSENT_REQUIRED');
    expect(
      await page.evaluate(() => window.localStorage.length + window.sessionStorage.length),
    ).toBe(0);

    // Usable on a phone: nothing wider than the screen but the tables' own scroll areas.
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('offers the demo sign-in only on the embedded default', async () => {
    const response = await fetch(`${t.url}/my-data/demo-sign-in`);
    expect(response.status).toBe(process.env.TEST_DATABASE_URL ? 404 : 200);
    if (!process.env.TEST_DATABASE_URL) {
      const bad = await fetch(`${t.url}/my-data/demo-sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ citizenId: '000000000000' }),
      });
      expect(bad.status).toBe(400);
    }
  });
});

describe('the console’s operations', () => {
  const DAY = 86_400_000;
  const client = (name: string) => `${RUN}-${name}`;
  /** Vietnam's midnight `days` days ago, as UTC milliseconds. */
  const vnMidnight = (days: number) => {
    const local = new Date(Date.now() + 7 * 3600_000);
    return (
      Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) -
      7 * 3600_000 -
      days * DAY
    );
  };

  beforeAll(async () => {
    let n = 0;
    const append = (clientId: string, at: number, extra: object = {}) =>
      t.gateway.audit.append({
        requestId: `${clientId}-${(n += 1)}`,
        at: new Date(at),
        clientId,
        actor: null,
        purpose: 'DEMO',
        caseId: null,
        operation: 'Synthetic',
        documentHash: null,
        subjects: [`0010${String(n).padStart(8, '0')}`],
        fields: ['Citizen.fullName'],
        denied: [],
        outcome: 'OK',
        durationMs: 1,
        restrictedUntil: null,
        ...extra,
      });
    const writes: Promise<unknown>[] = [];
    // Two people a day at 10:00 for five days, then sixty on the sixth.
    for (let day = 6; day >= 2; day -= 1) {
      for (let i = 0; i < 2; i += 1)
        writes.push(append(client('surge'), vnMidnight(day) + 10 * 3600_000 + i));
    }
    for (let i = 0; i < 60; i += 1)
      writes.push(append(client('surge'), vnMidnight(1) + 10 * 3600_000 + i));
    // Six reads at 23:00 Vietnam time, three at noon.
    for (let i = 0; i < 9; i += 1) {
      writes.push(append(client('night'), vnMidnight(2) + (i < 6 ? 23 : 12) * 3600_000 + i));
    }
    // Twelve refusals within one hour.
    for (let i = 0; i < 12; i += 1) {
      writes.push(
        append(client('burst'), vnMidnight(1) + 15 * 3600_000 + i * 60_000, {
          subjects: [],
          fields: [],
          denied: ['Citizen.fullName'],
          outcome: 'DENIED',
        }),
      );
    }
    await Promise.all(writes);
  });

  it('finds a surge of subjects, reads at night and a burst of refusals', async () => {
    const { body } = await t.graphql<{
      accessAnomalies: {
        kind: string;
        client: string;
        count: number;
        baseline: number | null;
        from: string;
      }[];
    }>(
      `{ accessAnomalies { kind client count baseline from to fields message } }`,
      undefined,
      AUDITOR,
    );
    expect(body.errors).toBeUndefined();
    const mine = body.data!.accessAnomalies.filter((anomaly) => anomaly.client.startsWith(RUN));
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'SUBJECT_SURGE',
          client: client('surge'),
          count: 60,
          baseline: 2,
        }),
        expect.objectContaining({
          kind: 'NIGHT_READS',
          client: client('night'),
          count: 6,
          baseline: 9,
        }),
        expect.objectContaining({
          kind: 'REFUSAL_BURST',
          client: client('burst'),
          count: 12,
          baseline: 12,
        }),
      ]),
    );
    // The days before the surge are the client's usual reading, not surges themselves.
    expect(mine.filter((anomaly) => anomaly.kind === 'SUBJECT_SURGE')).toHaveLength(1);
    expect(
      mine.some((anomaly) => anomaly.client === client('night') && anomaly.kind !== 'NIGHT_READS'),
    ).toBe(false);
  });

  it('counts accesses per day in Vietnam time, and refuses ranges too fine to chart', async () => {
    const from = new Date(vnMidnight(7)).toISOString();
    const { body } = await t.graphql<{
      accessTimeline: { at: string; client: string; total: number; refused: number }[];
    }>(
      `query ($from: DateTime) { accessTimeline(from: $from, bucket: DAY) { at client purpose total refused } }`,
      { from },
      AUDITOR,
    );
    const surge = body.data!.accessTimeline.filter((row) => row.client === client('surge'));
    expect(surge.map((row) => [row.at, row.total])).toEqual([
      ...[6, 5, 4, 3, 2].map((day) => [new Date(vnMidnight(day)).toISOString(), 2]),
      [new Date(vnMidnight(1)).toISOString(), 60],
    ]);
    const burst = body.data!.accessTimeline.find((row) => row.client === client('burst'));
    expect(burst).toMatchObject({ total: 12, refused: 12 });

    const tooFine = await t.graphql(
      `{ accessTimeline(from: "2020-01-01T00:00:00Z", bucket: HOUR) { total } }`,
      undefined,
      AUDITOR,
    );
    expect(tooFine.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('reads one entry by position, for auditors only', async () => {
    const { rows } = await t.auditDb.raw(
      `SELECT seq::text AS seq, hash FROM audit.entries WHERE request_id = ?`,
      [`${client('surge')}-1`],
    );
    const entry = await t.graphql<{ auditEntry: { hash: string; client: string } | null }>(
      `query ($seq: ID!) { auditEntry(seq: $seq) { hash client documentHash restrictedUntil } }`,
      { seq: rows[0].seq },
      AUDITOR,
    );
    expect(entry.body.data!.auditEntry).toMatchObject({
      hash: rows[0].hash,
      client: client('surge'),
    });
    const missing = await t.graphql(
      `{ auditEntry(seq: "999999999999") { hash } }`,
      undefined,
      AUDITOR,
    );
    expect(missing.body.data).toEqual({ auditEntry: null });
    const bad = await t.graphql(`{ auditEntry(seq: "0 OR 1=1") { hash } }`, undefined, AUDITOR);
    expect(bad.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    for (const field of [
      'auditEntry(seq: "1") { hash }',
      'accessTimeline { total }',
      'accessAnomalies { kind }',
    ]) {
      const portal = await t.graphql(`{ ${field} }`);
      expect(portal.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
  });
});
