import type { RunRecord } from './results';
import { TARGETS, WORKLOADS, WORKLOAD_TITLES, type TargetName } from './workloads';

/**
 * Requests per second per workload and target as a hand-written SVG: one panel per workload,
 * each with its own scale (a W2 request carries 100 profiles, so a shared axis would flatten
 * it), one bar per target in a fixed colour. pgbench, the database's own limit, is context: it
 * does not set the scale, and its bar is cut at the panel's edge when it runs past it.
 */

const COLOURS: Record<TargetName, string> = {
  gateway: '#1f6feb',
  'gateway-nolog': '#79a8f5',
  'raw-http': '#2da44e',
  'raw-http-sql': '#8ddb9e',
  'apollo-minimal': '#bf8700',
  'apollo-minimal-sql': '#e3c26b',
  naive: '#cf222e',
  postgraphile: '#8250df',
  pgbench: '#6e7781',
  federated: '#0a3069',
  'apollo-gateway': '#953800',
};

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function formatRps(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function renderChart(runs: readonly RunRecord[], subtitle: string): string {
  const width = 760;
  const labelWidth = 130;
  const barHeight = 18;
  const gap = 4;
  const panelGap = 34;
  const plotWidth = width - labelWidth - 140;
  const parts: string[] = [];
  let y = 56;
  for (const workload of WORKLOADS) {
    const bars = TARGETS.map((target) =>
      runs.find((run) => run.workload === workload && run.target === target),
    ).filter((run): run is RunRecord => run !== undefined);
    if (bars.length === 0) continue;
    const scaled = bars.filter((run) => run.target !== 'pgbench');
    const max = Math.max(...(scaled.length > 0 ? scaled : bars).map((run) => run.rps), 1);
    parts.push(
      `<text x="0" y="${y}" font-weight="bold">${workload}: ${escape(WORKLOAD_TITLES[workload])}</text>`,
    );
    y += 10;
    for (const run of bars) {
      const offScale = run.rps > max * 1.05;
      const length = Math.max(1, (Math.min(run.rps, max * 1.05) / max) * plotWidth);
      const label = offScale ? `${formatRps(run.rps)} (off scale)` : formatRps(run.rps);
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end">${run.target}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${COLOURS[run.target]}"${offScale ? ' fill-opacity="0.5"' : ''}/>`,
        `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + barHeight - 5}">${label}</text>`,
      );
      y += barHeight + gap;
    }
    y += panelGap - gap;
  }
  const height = y - panelGap + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="0" y="20" font-size="16" font-weight="bold">Requests per second (higher is better)</text>`,
    `<text x="0" y="38" fill="#57606a">${escape(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
