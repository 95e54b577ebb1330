import type { Stats } from '../api/client';

/**
 * Decisions by origin in each of the last 24 hours, as stacked bars (plain SVG: no chart library
 * in the bundle). The picture has a text summary, and the numbers are a table below it.
 */
const ORIGINS = [
  ['AUTO', 'Automatic'],
  ['MODERATOR', 'Moderators'],
  ['EXPIRY', 'Expiry'],
] as const;

const hourLabel = (iso: string) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));

export function HourlyChart(props: { hours: Stats['decisionsByHour'] }) {
  const hours = props.hours;
  const totals = hours.map((h) => h.AUTO + h.MODERATOR + h.EXPIRY);
  const max = Math.max(1, ...totals);
  const width = 720;
  const height = 200;
  const left = 36;
  const bottom = 24;
  const barWidth = (width - left) / Math.max(1, hours.length);
  const scale = (n: number) => (n / max) * (height - bottom - 8);
  const sum = (origin: (typeof ORIGINS)[number][0]) => hours.reduce((s, h) => s + h[origin], 0);
  const summary = `Decisions per hour over the last 24 hours: ${ORIGINS.map(([o, label]) => `${label.toLowerCase()} ${sum(o)}`).join(', ')}; busiest hour ${max === 1 && totals.every((t) => t === 0) ? 'none' : `${Math.max(...totals)} decisions`}.`;
  return (
    <figure class="chart">
      <figcaption>
        <h2>Decisions by origin, last 24 hours</h2>
      </figcaption>
      <ul class="legend">
        {ORIGINS.map(([origin, label]) => (
          <li key={origin}>
            <span class={`swatch origin-${origin}`} aria-hidden="true" /> {label}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
        <line x1={left} y1={height - bottom} x2={width} y2={height - bottom} class="axis" />
        <text x={left - 6} y={12} class="tick" text-anchor="end">
          {max}
        </text>
        <text x={left - 6} y={height - bottom} class="tick" text-anchor="end">
          0
        </text>
        {hours.map((h, i) => {
          let y = height - bottom;
          const x = left + i * barWidth + 2;
          return (
            <g key={h.hour}>
              {ORIGINS.map(([origin]) => {
                const bar = scale(h[origin]);
                y -= bar;
                return bar > 0 ? <rect key={origin} x={x} y={y} width={Math.max(1, barWidth - 4)} height={bar} class={`origin-${origin}`} /> : null;
              })}
              {i % 3 === 0 && (
                <text x={x + barWidth / 2} y={height - 6} class="tick" text-anchor="middle">
                  {hourLabel(h.hour)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>The numbers</summary>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Decisions per hour">
          <table>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                {ORIGINS.map(([origin, label]) => (
                  <th key={origin} scope="col">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {hours.map((h) => (
                <tr key={h.hour}>
                  <th scope="row">
                    {hourLabel(h.hour)}
                    {h.complete ? '' : ' (at least)'}
                  </th>
                  {ORIGINS.map(([origin]) => (
                    <td key={origin}>{h[origin]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
