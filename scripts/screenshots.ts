/**
 * Screenshots of the console and the citizen page for the README:
 *   npm run screenshots
 * Starts the embedded default as the tests do, logs a week of synthetic accesses through the
 * access log (with a night reader, a surge and a burst of refusals), signs in in Debian's
 * chromium and saves PNGs under docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT } from '../src/paths';
import { buildWeb, webBuildCurrent } from './build-web';
import { startTestGateway } from '../test/support/gateway';

const OUT = path.join(ROOT, 'docs', 'screenshots');
const HOUR = 3_600_000;

async function main(): Promise<void> {
  if (!webBuildCurrent()) buildWeb();
  fs.mkdirSync(OUT, { recursive: true });
  const t = await startTestGateway();
  const { citizens } = (await (await fetch(`${t.url}/my-data/demo-sign-in`)).json()) as {
    citizens: string[];
  };
  // A week of accesses, hour by hour, logged as the gateway logs them.
  const now = Date.now();
  const appends: Promise<unknown>[] = [];
  let n = 0;
  const entry = (at: number, clientId: string, purpose: string, extra: object = {}) =>
    appends.push(
      t.gateway.audit.append({
        requestId: `demo-${(n += 1)}`,
        at: new Date(at),
        clientId,
        actor: `officer-${n % 17}`,
        purpose,
        caseId: n % 3 === 0 ? `HS-2026-${String(n).padStart(5, '0')}` : null,
        operation: 'CitizenProfile',
        documentHash: 'a3f1c9'.padEnd(64, '0'),
        subjects: [`0010900${String(n % 4000).padStart(5, '0')}`],
        fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
        denied: [],
        outcome: 'OK',
        durationMs: 5 + (n % 40),
        restrictedUntil: null,
        ...extra,
      }),
    );
  for (let hour = 7 * 24; hour > 0; hour -= 1) {
    const at = now - hour * HOUR;
    const local = new Date(at + 7 * HOUR).getUTCHours();
    const working = local >= 8 && local < 18;
    for (let i = 0; i < (working ? 6 : 1); i += 1) {
      entry(at + i * 60_000, 'portal-dvc', i % 2 ? 'BIRTH_REGISTRATION' : 'MARRIAGE_REGISTRATION');
    }
    if (working) entry(at, 'hanoi-one-stop', 'LAND_TRANSFER_REGISTRATION');
    if (local === 2) entry(at, 'bank-ekyc', 'EKYC');
    // One afternoon the one-stop office reads far more people than it usually does.
    if (hour > 40 && hour <= 44) {
      for (let i = 0; i < 40; i += 1) {
        entry(at + i * 30_000, 'hanoi-one-stop', 'LAND_TRANSFER_REGISTRATION');
      }
    }
    if (hour === 30) {
      for (let i = 0; i < 14; i += 1) {
        entry(at + i * 1000, 'bank-ekyc', 'EKYC', {
          subjects: [],
          fields: [],
          denied: ['Citizen.fullName'],
          outcome: 'DENIED',
        });
      }
    }
  }
  await Promise.all(appends);
  // Real requests for the entry and the citizen page: a read with a field the procedure lacks.
  await t.graphql(
    `{ citizen(id: "${citizens[0]}") { fullName insurance { status } } }`,
    undefined,
    {
      'x-purpose': 'BIRTH_REGISTRATION',
      'x-case-id': 'HS-2026-00042',
    },
  );

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'vi-VN' });
  const shot = (name: string, target: Page = page) =>
    target.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });

  await page.goto(`${t.url}/console`);
  await page.getByLabel('Khóa API của đơn vị kiểm toán').fill('demo-auditor');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.locator('tbody tr').first().waitFor();
  await shot('console-log');
  await page.locator('tbody tr').first().getByRole('button').click();
  await page.locator('section[aria-labelledby="entry-title"] dl').waitFor();
  await shot('console-entry');
  await page.getByRole('button', { name: 'Đóng' }).click();
  await page.getByRole('button', { name: 'Biểu đồ' }).click();
  await page.locator('[data-chart="refusals"] canvas').waitFor();
  await page.screenshot({ path: path.join(OUT, 'console-charts.png'), fullPage: true });
  await page.getByRole('button', { name: 'Dấu hiệu bất thường' }).click();
  await page.locator('[data-kind]').first().waitFor();
  await shot('console-anomalies');
  await page.getByRole('button', { name: 'Nhân chứng' }).click();
  await page.locator('[data-witness]').first().waitFor();
  await shot('console-witnesses');

  // The citizen: grant the bank's consent, let the bank read, and look.
  const citizen = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
  });
  await citizen.goto(`${t.url}/my-data`);
  await citizen.getByRole('button', { name: 'Đăng nhập' }).first().click();
  await citizen.getByTestId('full-name').waitFor();
  await citizen.getByRole('button', { name: 'Đồng ý', exact: true }).click();
  await citizen.getByText('Đã ghi nhận sự đồng ý.').waitFor();
  await t.graphql(`{ citizen(id: "${citizens[0]}") { fullName dateOfBirth } }`, undefined, {
    authorization: 'Bearer demo-ekyc',
    'x-purpose': 'EKYC',
  });
  await citizen.reload();
  await citizen.getByRole('button', { name: 'Đăng nhập' }).first().click();
  await citizen.locator('tr[data-client="demo-ekyc"]').first().waitFor();
  await citizen.screenshot({ path: path.join(OUT, 'my-data.png'), fullPage: true });
  await citizen.setViewportSize({ width: 390, height: 844 });
  await shot('my-data-phone', citizen);

  await browser.close();
  await t.close();
  process.stdout.write(`screenshots in ${path.relative(ROOT, OUT)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
