/**
 * The README's table of the procedure catalogue, generated from procedures/*.yaml so it cannot
 * drift from the data.
 *
 *   npx tsx scripts/catalogue-table.ts            print the table
 *   npx tsx scripts/catalogue-table.ts --write    rewrite it in README.md between the markers
 *   npx tsx scripts/catalogue-table.ts --check    exit 1 when README.md holds a stale table
 *
 * Only the text between `<!-- catalogue:start -->` and `<!-- catalogue:end -->` (the catalogue) and
 * between `<!-- catalogue-statistics:start -->` and `<!-- catalogue-statistics:end -->` (what
 * `catalogueStatistics` answers) is touched; a README without the markers is left alone and the
 * tables are printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import {
  catalogueCounts,
  CATALOGUE_DIR,
  loadCatalogue,
  sdlSchema,
  type Catalogue,
} from '../src/procedures';
import { ROOT } from '../src/paths';

export const START = '<!-- catalogue:start -->';
export const END = '<!-- catalogue:end -->';
export const STATISTICS_START = '<!-- catalogue-statistics:start -->';
export const STATISTICS_END = '<!-- catalogue-statistics:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

/** The table: one row per procedure, with its fields and the components its data replaces. */
export function catalogueTable(catalogue: Catalogue): string {
  const rows = [
    '| Code | National code | Procedure | Subject | Fields (from national data) | Components replaced by data | Fully online | Bundle of |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const procedure of catalogue.procedures) {
    const bound = procedure.fields.filter((field) => field.path).length;
    rows.push(
      `| \`${procedure.code}\` | ${procedure.nationalCode ?? '—'} | ${cell(procedure.name)} (${cell(procedure.nameEn)}) | ${
        procedure.subjectKind === 'CITIZEN' ? 'citizen' : 'enterprise'
      } | ${procedure.fields.length} (${bound}) | ${procedure.documentsReplaced} of ${procedure.documentsTotal} | ${
        procedure.completableOnline ? 'yes' : 'no'
      } | ${procedure.components.map((component) => `\`${component.code}\``).join(', ') || '—'} |`,
    );
  }
  return rows.join('\n');
}

/** What `catalogueStatistics` answers from the catalogue, as a table. */
export function statisticsTable(catalogue: Catalogue): string {
  const counts = catalogueCounts(catalogue);
  return [
    '| Measure | Count |',
    '| --- | --- |',
    `| Procedures (bundles not counted) | ${counts.procedures} |`,
    `| Bundles (thủ tục liên thông) | ${counts.bundles} |`,
    `| Document components | ${counts.documentComponents} |`,
    `| Components replaced by national data | ${counts.documentComponentsReplaced} |`,
    `| Procedures completable fully online (nothing left to upload) | ${counts.proceduresCompletableOnline} |`,
  ].join('\n');
}

async function formatted(markdown: string): Promise<string> {
  const options = (await prettier.resolveConfig(path.join(ROOT, 'README.md'))) ?? {};
  return (await prettier.format(markdown, { ...options, parser: 'markdown' })).trimEnd();
}

/** The table as Prettier formats Markdown, so that `prettier --check` and `--check` agree. */
export async function formattedTable(catalogue: Catalogue): Promise<string> {
  return formatted(catalogueTable(catalogue));
}

/** The README with the section between the markers replaced, or null when it has no markers. */
export function replaceSection(
  readme: string,
  table: string,
  startMarker = START,
  endMarker = END,
): string | null {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker, start + startMarker.length);
  if (start < 0 || end < 0) return null;
  return `${readme.slice(0, start + startMarker.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** Both generated sections replaced; null when the README lacks either pair of markers. */
async function replaceAll(readme: string, catalogue: Catalogue): Promise<string | null> {
  const withTable = replaceSection(readme, await formattedTable(catalogue));
  if (withTable === null) return null;
  return replaceSection(
    withTable,
    await formatted(statisticsTable(catalogue)),
    STATISTICS_START,
    STATISTICS_END,
  );
}

/** Cell-wise form of a Markdown text, so column padding alone never makes a table stale. */
function comparable(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.trim().startsWith('|')
        ? line
            .trim()
            .split(/(?<!\\)\|/)
            .map((part) => part.trim().replace(/^:?-+:?$/, '---'))
            .join('|')
        : line.trim(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

export function isStale(readme: string, table: string): boolean {
  const updated = replaceSection(readme, table);
  return updated !== null && comparable(updated) !== comparable(readme);
}

async function main(argv: string[]): Promise<number> {
  const write = argv.includes('--write');
  const check = argv.includes('--check');
  const readmeArgument = argv.find((arg) => arg.startsWith('--readme='));
  const readmePath = readmeArgument
    ? path.resolve(readmeArgument.slice('--readme='.length))
    : path.join(ROOT, 'README.md');
  const catalogue = loadCatalogue(CATALOGUE_DIR, sdlSchema());
  const tables = `${await formattedTable(catalogue)}\n\n${await formatted(statisticsTable(catalogue))}`;
  if (!write && !check) {
    process.stdout.write(`${tables}\n`);
    return 0;
  }
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : null;
  const updated = readme === null ? null : await replaceAll(readme, catalogue);
  if (readme === null || updated === null) {
    process.stderr.write(
      `${path.relative(process.cwd(), readmePath)} lacks the ${START} ... ${END} or ${STATISTICS_START} ... ${STATISTICS_END} section; the tables are:\n`,
    );
    process.stdout.write(`${tables}\n`);
    return check ? 1 : 0;
  }
  if (check) {
    if (comparable(updated) !== comparable(readme)) {
      process.stderr.write(
        `The catalogue tables in ${path.relative(process.cwd(), readmePath)} are stale; run: npx tsx scripts/catalogue-table.ts --write\n`,
      );
      return 1;
    }
    return 0;
  }
  if (updated !== readme) fs.writeFileSync(readmePath, updated);
  process.stderr.write(
    `Wrote the catalogue tables (${catalogue.procedures.length} procedures and bundles) to ${path.relative(process.cwd(), readmePath)}.\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
