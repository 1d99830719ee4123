/**
 * Builds the web pages (web/ into dist/web) with Vite:
 *   npx tsx scripts/build-web.ts [--if-missing]
 * With --if-missing it builds only when dist/web lacks a page or web/ changed since the last
 * build (what `npm start` and the tests use). Exit code 1 when the build fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/paths';
import { WEB_DIST } from '../src/pages';

const STAMP = path.join(WEB_DIST, '.built');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether dist/web holds both pages built from the current web/ sources. */
export function webBuildCurrent(): boolean {
  if (!fs.existsSync(STAMP)) return false;
  for (const page of ['console', 'my-data']) {
    if (!fs.existsSync(path.join(WEB_DIST, page, 'index.html'))) return false;
  }
  return fs.statSync(STAMP).mtimeMs >= newestSource(path.join(ROOT, 'web'));
}

/** Runs Vite's production build of web/. */
export function buildWeb(): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.mts'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (require.main === module) {
  if (process.argv.includes('--if-missing') && webBuildCurrent()) process.exit(0);
  try {
    buildWeb();
  } catch {
    process.exit(1);
  }
}
