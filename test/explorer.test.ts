import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startTestGateway, type TestGateway } from './support/gateway';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let t: TestGateway;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed for the explorer test: install Debian's chromium (${CHROMIUM}) or set CHROMIUM_PATH`,
    );
  }
  t = await startTestGateway();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('loads in a browser, from the gateway alone, and runs a query', async () => {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // The explorer introspects the schema through the gateway before it shows the docs.
  const introspection = page.waitForResponse(
    (response) => response.url() === `${t.url}/graphql` && response.request().method() === 'POST',
    { timeout: 20_000 },
  );
  await page.goto(`${t.url}/graphql`);
  await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
  expect((await introspection).status()).toBe(200);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () =>
      (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string | null } | null };
        }
      ).document
        .querySelector('.result-window')
        ?.textContent?.includes('"fullName"'),
    undefined,
    {
      timeout: 20_000,
    },
  );

  expect(pageErrors).toEqual([]);
  expect(requested.length).toBeGreaterThan(3);
  const origin = new URL(t.url).origin;
  expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual(
    [],
  );
  await page.close();
});
