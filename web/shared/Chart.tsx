/** A time-series chart drawn with uPlot (MIT): one line per series, legend underneath. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Colours that keep at least 4.5:1 against white, told apart by dash as well as hue. */
const PALETTE = [
  '#0b4f9c',
  '#b91c1c',
  '#047857',
  '#7c3aed',
  '#b45309',
  '#0e7490',
  '#be185d',
  '#374151',
];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

export interface Series {
  label: string;
  values: number[];
}

/** Plots `series` over `times` (ms since the epoch); `label` names the chart for screen readers. */
export function TimeChart({
  label,
  times,
  series,
  locale,
}: {
  label: string;
  times: number[];
  series: Series[];
  locale: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const format = new Intl.DateTimeFormat(locale, {
      month: 'numeric',
      day: 'numeric',
      hour: times.length > 1 && times[1] - times[0] < 86_400_000 ? '2-digit' : undefined,
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const width = () => Math.max(280, element.clientWidth - 16);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        scales: { x: { time: true } },
        axes: [
          { values: (_, ticks) => ticks.map((tick) => format.format(new Date(tick * 1000))) },
          { size: 50 },
        ],
        series: [
          { value: (_, value) => (value === null ? '' : format.format(new Date(value * 1000))) },
          ...series.map((entry, index) => ({
            label: entry.label,
            stroke: PALETTE[index % PALETTE.length],
            dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length],
            width: 2,
            points: { show: times.length < 60 },
          })),
        ],
      },
      [times.map((time) => time / 1000), ...series.map((entry) => entry.values)],
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [times, series, locale]);
  return <div ref={host} role="img" aria-label={label} />;
}
