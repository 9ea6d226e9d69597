import type { ServerStatus } from '../db/connection/embedded/control.js';

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** One line about the embedded server for `db status` and `db stop`. */
export function describeServer(status: ServerStatus | undefined): string {
  if (!status) return 'embedded server: not running (the next command starts it)';
  return (
    `embedded server: pid ${status.pid}, ${mb(status.rss_bytes)} resident (peak ${mb(status.peak_rss_bytes)}), ` +
    `idle ${seconds(status.idle_ms)} (exits after ${seconds(status.idle_limit_ms)}), ` +
    `${status.connections} connection${status.connections === 1 ? '' : 's'}, since ${status.started_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`
  );
}

/** `--json` shape of the server: stable snake_case, memory in bytes and MB. */
export function serverJson(status: ServerStatus | undefined): Record<string, unknown> | null {
  if (!status) return null;
  return {
    pid: status.pid,
    rss_bytes: status.rss_bytes,
    peak_rss_bytes: status.peak_rss_bytes,
    rss_mb: Math.round(status.rss_bytes / 2 ** 20),
    peak_rss_mb: Math.round(status.peak_rss_bytes / 2 ** 20),
    idle_seconds: Math.round(status.idle_ms / 1000),
    idle_limit_seconds: Math.round(status.idle_limit_ms / 1000),
    connections: status.connections,
    started_at: status.started_at,
    data_dir: status.data_dir,
  };
}
