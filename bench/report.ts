import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { ROOT } from './database';
import { findRun, type BenchResults } from './results';
import { TARGETS, WORKLOADS, WORKLOAD_TITLES } from './workloads';

/**
 * The README's performance section, from a results file: the table of every run, the ratios
 * against each comparator, the targets and the chart. Only the text between the bench markers
 * is replaced; without markers a `## Performance` section holding them is appended.
 *
 *   npx tsx bench/report.ts [bench/results/latest.json]
 */

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const fixed = (value: number | null, digits = 0) =>
  value === null || !Number.isFinite(value)
    ? '-'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });

/** Latency: a decimal below 10 ms, whole milliseconds above. */
const ms = (value: number | null) => fixed(value, value !== null && value < 10 ? 1 : 0);

export function renderSection(results: BenchResults, chartPath: string): string {
  const machine = results.machine as {
    date?: string;
    cpu?: string;
    cpus?: number;
    memoryGB?: number;
    node?: string;
    postgres?: string;
    citizens?: number;
    durationS?: number;
    warmupS?: number;
    connections?: number;
    rounds?: number;
  };
  const rounds = machine.rounds ?? 1;
  const lines: string[] = [];
  lines.push(
    `Measured ${machine.date ?? ''} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGB} GB, ` +
      `Node ${machine.node}, ${machine.postgres}; ${fixed(machine.citizens ?? null)} citizens; ` +
      `${machine.connections} connections from autocannon in its own process; ` +
      `${machine.durationS} s measured per run after ${machine.warmupS} s of warm-up` +
      (rounds > 1
        ? `, ${rounds} rounds in alternating order, each figure from the median round (req/s range in brackets). `
        : '. ') +
      'Everything runs on the same machine, so compare ratios (taken in the same run) rather ' +
      'than absolute figures. Reproduce with `npm run bench`; the figures are in ' +
      '`bench/results/latest.json`.',
    '',
    '| workload | target | req/s | p50 ms | p99 ms | calls/req | RSS MB | gateway ÷ target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const workload of WORKLOADS) {
    const gateway = findRun(results.runs, workload, 'gateway');
    for (const target of TARGETS) {
      const run = findRun(results.runs, workload, target);
      if (!run) continue;
      const ratio = gateway && target !== 'gateway' ? `${fixed(gateway.rps / run.rps, 2)}` : '';
      const range = run.rpsRange ? ` (${fixed(run.rpsRange[0])}–${fixed(run.rpsRange[1])})` : '';
      lines.push(
        `| ${workload} ${WORKLOAD_TITLES[workload]} | ${target} | ${fixed(run.rps)}${range} | ` +
          `${ms(run.p50)} | ${ms(run.p99)} | ${fixed(run.callsPerRequest, 2)} | ` +
          `${fixed(run.rssMB)} | ${ratio} |`,
      );
    }
  }
  lines.push(
    '',
    'Every target reaches the social insurance agency through its HTTP service, as the gateway ' +
      'must; `raw-http-sql` and `apollo-minimal-sql` read its tables instead, to show what the ' +
      'hop costs. `federated` is the federated gateway over a process per national database, ' +
      '`apollo-gateway` is `@apollo/gateway` over the same subgraph processes; for both, ' +
      'calls/req counts subgraph calls and RSS is the sum over all their processes.',
  );
  lines.push(
    '',
    '| target | workload | measured | limit | status |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const check of results.targets) {
    lines.push(
      `| ${check.target} | ${check.workload ?? 'all'} | ${check.measured} | ${check.limit} | ${check.status} |`,
    );
  }
  if (results.notes.length > 0) lines.push('', ...results.notes.map((note) => `- ${note}`));
  if (results.failures.length > 0) {
    lines.push('', 'Not measured in this run:', '');
    for (const failure of results.failures) lines.push(`- ${failure.split('\n')[0]}`);
  }
  lines.push('', `![Requests per second per workload and target](${chartPath})`);
  return lines.join('\n');
}

/** Replaces the text between the markers (or appends a section with them) and formats it. */
export async function updateReadme(readme: string, section: string): Promise<void> {
  const config = (await prettier.resolveConfig(readme)) ?? {};
  const body = (await prettier.format(section, { ...config, parser: 'markdown' })).trim();
  const block = `${START}\n\n${body}\n\n${END}`;
  const text = fs.readFileSync(readme, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n## Performance\n\n${block}\n`;
  fs.writeFileSync(readme, next);
}

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? path.join(ROOT, 'bench', 'results', 'latest.json'));
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
  await updateReadme(
    path.join(ROOT, 'README.md'),
    renderSection(results, 'bench/results/latest.svg'),
  );
  console.log(`README.md performance section written from ${path.relative(ROOT, file)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
