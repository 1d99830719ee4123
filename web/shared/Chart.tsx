/** A time-series chart drawn with uPlot (MIT): one line per series, legend underneath. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Colours that keep at least 4.5:1 against white, told apart by dash as well as hue. */
export const PALETTE = [
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
  /** A colour of `PALETTE`, so one client keeps its colour across charts. */
  color?: string;
}

/** Plots `series` over `times` (ms since the epoch); `label` names the chart for screen readers. */
export function TimeChart({
  label,
  times,
  series,
  locale,
  timeLabel,
}: {
  label: string;
  times: number[];
  series: Series[];
  locale: string;
  timeLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const hourly = times.length > 1 && times[1] - times[0] < 86_400_000;
    const day = new Intl.DateTimeFormat(locale, {
      month: '2-digit',
      day: '2-digit',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const hour = new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const format = (seconds: number) => {
      const date = new Date(seconds * 1000);
      return hourly ? `${day.format(date)} ${hour.format(date)}` : day.format(date);
    };
    const width = () => Math.max(280, element.clientWidth - 16);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        scales: { x: { time: true } },
        axes: [{ space: hourly ? 110 : 70, values: (_, ticks) => ticks.map(format) }, { size: 50 }],
        series: [
          { label: timeLabel, value: (_, value) => (value === null ? '' : format(value)) },
          ...series.map((entry, index) => ({
            label: entry.label,
            stroke: entry.color ?? PALETTE[index % PALETTE.length],
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
  }, [times, series, locale, timeLabel]);
  return <div ref={host} role="img" aria-label={label} />;
}
