import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root, found the same way from src/ (tsx) and from dist/src/ (built). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

/**
 * A hash of everything under mocks/ (migrations and generator): a snapshot of the embedded
 * database made by other code is never reused.
 */
export function mocksFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name))
        hash.update(entry.name).update(fs.readFileSync(full));
    }
  };
  walk(path.join(ROOT, 'mocks'));
  return hash.digest('hex').slice(0, 16);
}
