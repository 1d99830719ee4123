import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './database';
import type { ProfileSummary } from './results';

/**
 * Self time per function and per module from a V8 CPU profile (`node --cpu-prof`): where the
 * gateway spends its CPU under load.
 *
 *   npx tsx bench/profile.ts <file.cpuprofile>
 */

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** A span of the profile, in ms from its start; samples outside are left out. */
export interface ProfileWindow {
  fromMs: number;
  toMs: number;
}

/** The package (node_modules/<name>), the project folder, Node's internals, or V8's own entries. */
function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const relative = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
  const parts = relative.split('/');
  return parts[0] === 'dist' ? parts.slice(1, 3).join('/') : parts.slice(0, 2).join('/');
}

export function summariseProfile(
  file: string,
  window: ProfileWindow = { fromMs: 0, toMs: Infinity },
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let total = 0;
  let at = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (at < window.fromMs * 1000 || at > window.toMs * 1000) return;
    self.set(id, (self.get(id) ?? 0) + micros);
    total += micros;
  });
  const functions = new Map<string, { name: string; where: string; micros: number }>();
  const modules = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || '(anonymous)';
    const url = frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const where = url ? `${url}:${frame.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    const module = moduleOf(frame.url, name);
    modules.set(module, (modules.get(module) ?? 0) + micros);
  }
  const ms = (micros: number) => Math.round(micros / 100) / 10;
  const share = (micros: number) => Math.round((1000 * micros) / Math.max(1, total)) / 10;
  return {
    file: path.relative(ROOT, file),
    totalMs: ms(total),
    byFunction: [...functions.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((entry) => ({
        name: entry.name,
        where: entry.where,
        selfMs: ms(entry.micros),
        percent: share(entry.micros),
      })),
    byModule: [...modules.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, micros]) => ({ module, selfMs: ms(micros), percent: share(micros) })),
  };
}

export function printProfile(summary: ProfileSummary): void {
  console.log(
    `\nCPU profile of the gateway under W1 (${summary.file}, ${summary.totalMs} ms sampled)`,
  );
  console.log('self time by module:');
  for (const entry of summary.byModule.slice(0, 15)) {
    console.log(`  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.module}`);
  }
  console.log('self time by function:');
  for (const entry of summary.byFunction) {
    console.log(`  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}  ${entry.where}`);
  }
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/profile.ts <file.cpuprofile>');
    process.exit(2);
  }
  printProfile(summariseProfile(path.resolve(file)));
}
