/** Number formats shared by the explanations, crossovers and reports, so every surface says the same thing. */

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Decimal megabytes, like the Mbps of the links. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatMbps(mbps: number): string {
  return mbps >= 10 ? `${mbps.toFixed(0)} Mbps` : `${mbps.toFixed(1)} Mbps`;
}

export function formatPoints(points: number): string {
  return points.toFixed(points !== 0 && Math.abs(points) < 0.1 ? 2 : 1);
}

/** Signed with a real minus sign: "−0.8", "+0.3". */
export function formatSignedPoints(points: number): string {
  const text = formatPoints(Math.abs(points));
  if (Number(text) === 0) return '±0';
  return `${points < 0 ? '−' : '+'}${text}`;
}
