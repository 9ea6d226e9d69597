/**
 * What `--status` takes on jobs list, videos list and videos gallery: octo's statuses, and
 * `cancelled` too (the web app writes that spelling, octo `canceled`; either finds both, see
 * statusSpellings in src/db/tables/generations.ts).
 */
export const STATUS_CHOICES = ['queued', 'running', 'completed', 'failed', 'canceled', 'cancelled'];
