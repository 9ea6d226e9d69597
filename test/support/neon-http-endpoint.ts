/**
 * A local stand-in for Neon's SQL-over-HTTP endpoint (the thing `neon()` from
 * `@neondatabase/serverless` POSTs to), backed by a real Postgres through `pg`.
 *
 * Point the driver at it with:
 *
 *   neonConfig.fetchEndpoint = () => `${endpoint.url}/sql`;
 *   const sql = neon('postgres://postgres@db.localtest.neon.tech/mydb');
 *
 * Protocol, as spoken by @neondatabase/serverless 1.x and Neon's proxy:
 *
 * Request: `POST /sql`, body is JSON (the driver sends no Content-Type):
 *   - single query: `{ query: string, params: (string | null)[] }`
 *   - batch:        `{ queries: [{ query, params }, ...] }`, run as ONE transaction
 *   Params arrive already serialised by the driver (pg's prepareValue; Buffers as
 *   '\x..' hex strings), so they are passed to Postgres verbatim.
 * Headers:
 *   - `Neon-Connection-String`: postgresql://user:pass@host/db?application_name=...
 *     Only user/password/database (and application_name) are used; host/port are
 *     replaced by `options.target` (default 127.0.0.1:5432).
 *   - `Neon-Raw-Text-Output: true`: values are returned exactly as Postgres sends
 *     them in text format (the driver always sends this and parses the text itself
 *     with pg-types, keyed on `fields[i].dataTypeID`).
 *   - `Neon-Array-Mode: true`: each row is an array of values in field order (the
 *     driver always sends this too, and builds objects itself; arrays preserve
 *     duplicate column names). When false, rows are `{ [field.name]: value }`.
 *   - `Neon-Batch-Isolation-Level` (Serializable | RepeatableRead | ReadCommitted |
 *     ReadUncommitted), `Neon-Batch-Read-Only`, `Neon-Batch-Deferrable` ('true' |
 *     'false'): only sent for batches; they shape the BEGIN statement.
 * Response 200:
 *   `{ command, rowCount, rows, fields: [{ name, dataTypeID, tableID, columnID,
 *     dataTypeSize, dataTypeModifier, format }], rowAsArray }` for a single query,
 *   `{ results: [<that>, ...] }` for a batch.
 * Response 400 (any Postgres error, or a malformed request): JSON
 *   `{ message, code, detail, hint, position, internalPosition, internalQuery,
 *     severity, where, table, column, schema, dataType, constraint, file, line,
 *     routine }` (strings or null). The driver turns it into a NeonDbError by
 *   copying exactly these keys. Any other status makes the driver throw
 *   `Server error (HTTP status N): <body text>`, so we use 502 + plain text for
 *   failures that are not Postgres errors (e.g. the target refusing connections).
 *
 * Like Neon, every query goes through the extended protocol (even without
 * params), so multi-statement strings are rejected just as they are on Neon.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface NeonHttpEndpointOptions {
  /** Use this connection string for every request instead of the header's. */
  connectionString?: string;
  /** Where the header's connection string is redirected to. Default 127.0.0.1:5432. */
  target?: { host: string; port: number };
  /** Max clients per pg Pool (one pool per distinct connection). Default 10. */
  poolSize?: number;
}

export interface NeonHttpEndpoint {
  /** Base URL, e.g. http://127.0.0.1:54321 (append '/sql' for the driver). */
  url: string;
  port: number;
  /** HTTP requests served so far (= driver round trips). */
  readonly requests: number;
  close(): Promise<void>;
}

interface WireQuery {
  query: string;
  params?: unknown[];
}

interface WireField {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: string;
}

interface WireResult {
  command: string;
  rowCount: number | null;
  rows: unknown[];
  fields: WireField[];
  rowAsArray: boolean;
}

const ERROR_FIELDS = [
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'severity',
  'where',
  'table',
  'column',
  'schema',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

const ISOLATION_LEVELS: Record<string, string> = {
  Serializable: 'SERIALIZABLE',
  RepeatableRead: 'REPEATABLE READ',
  ReadCommitted: 'READ COMMITTED',
  ReadUncommitted: 'READ UNCOMMITTED',
};

/** Every value stays the text Postgres sent; NULL stays null (pg never calls parsers for NULL). */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** Thrown for problems with the HTTP request itself (answered with 400 + {message}). */
class BadRequest extends Error {}

/** Neon's non-raw mode: a few scalar types become JSON values, everything else stays text. */
function textToJson(value: string | null, dataTypeID: number): unknown {
  if (value === null) return null;
  switch (dataTypeID) {
    case 16: // bool
      return value === 't';
    case 21: // int2
    case 23: // int4
      return Number(value);
    case 700: // float4
    case 701: {
      // float8
      const n = Number(value);
      return Number.isFinite(n) ? n : value;
    }
    case 114: // json
    case 3802: // jsonb
      return JSON.parse(value);
    default:
      return value;
  }
}

function headerFlag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new BadRequest(`invalid ${name} header: ${value}`);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseWireQuery(q: unknown): WireQuery {
  if (!q || typeof q !== 'object' || typeof (q as WireQuery).query !== 'string') {
    throw new BadRequest('request body must contain a string "query"');
  }
  const params = (q as WireQuery).params;
  if (params !== undefined && !Array.isArray(params)) throw new BadRequest('"params" must be an array');
  return { query: (q as WireQuery).query, params: params ?? [] };
}

function isDatabaseError(err: unknown): err is pg.DatabaseError {
  if (err instanceof pg.DatabaseError) return true;
  const code = err instanceof Error ? (err as Partial<pg.DatabaseError>).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

export async function startNeonHttpEndpoint(options: NeonHttpEndpointOptions = {}): Promise<NeonHttpEndpoint> {
  const target = options.target ?? { host: '127.0.0.1', port: 5432 };
  const poolSize = options.poolSize ?? 10;
  const pools = new Map<string, pg.Pool>();
  let requests = 0;

  function poolFor(headerConnectionString: string | undefined): pg.Pool {
    let config: pg.PoolConfig;
    if (options.connectionString !== undefined) {
      config = { connectionString: options.connectionString };
    } else {
      if (!headerConnectionString) throw new BadRequest('missing Neon-Connection-String header');
      let url: URL;
      try {
        url = new URL(headerConnectionString);
      } catch {
        throw new BadRequest('Neon-Connection-String is not a valid URL');
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        throw new BadRequest('Neon-Connection-String must use the postgres:// or postgresql:// scheme');
      }
      const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (!url.username || !database) throw new BadRequest('Neon-Connection-String needs a user and a database');
      config = {
        host: target.host,
        port: target.port,
        user: decodeURIComponent(url.username),
        password: url.password ? decodeURIComponent(url.password) : undefined,
        database,
        application_name: url.searchParams.get('application_name') ?? undefined,
      };
    }
    const key = JSON.stringify(config);
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({ ...config, max: poolSize, types: rawTypes });
      // An idle client dying (e.g. DROP DATABASE ... WITH (FORCE)) must not crash the test run.
      pool.on('error', () => {});
      pools.set(key, pool);
    }
    return pool;
  }

  async function run(client: pg.PoolClient, q: WireQuery, arrayMode: boolean, rawText: boolean): Promise<WireResult> {
    const result = await client.query({
      text: q.query,
      values: q.params,
      rowMode: 'array',
      // Neon always uses the extended protocol: no multi-statement strings.
      queryMode: 'extended',
    } as pg.QueryArrayConfig);
    const fields: WireField[] = result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: f.format,
    }));
    // pg gives each row one value per field.
    const rows = (result.rows as (string | null)[][]).map((row) => {
      const cells = fields.map((f, i) => {
        const text = row[i] ?? null;
        return { name: f.name, value: rawText ? text : textToJson(text, f.dataTypeID) };
      });
      return arrayMode ? cells.map((c) => c.value) : Object.fromEntries(cells.map((c) => [c.name, c.value]));
    });
    return { command: result.command, rowCount: result.rowCount, rows, fields, rowAsArray: arrayMode };
  }

  async function handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/sql') {
      return { status: 404, body: 'not found: use POST /sql' };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(await readBody(req));
    } catch {
      throw new BadRequest('request body is not valid JSON');
    }
    const arrayMode = headerFlag(header(req, 'Neon-Array-Mode'), 'Neon-Array-Mode') ?? false;
    const rawText = headerFlag(header(req, 'Neon-Raw-Text-Output'), 'Neon-Raw-Text-Output') ?? false;
    const isBatch = !!payload && typeof payload === 'object' && 'queries' in payload;

    let begin = 'BEGIN';
    let queries: WireQuery[];
    let single: WireQuery | undefined;
    if (isBatch) {
      const raw = (payload as { queries: unknown }).queries;
      if (!Array.isArray(raw)) throw new BadRequest('"queries" must be an array');
      queries = raw.map(parseWireQuery);
      const iso = header(req, 'Neon-Batch-Isolation-Level');
      if (iso !== undefined) {
        const level = ISOLATION_LEVELS[iso];
        if (!level) throw new BadRequest(`invalid Neon-Batch-Isolation-Level header: ${iso}`);
        begin += ` ISOLATION LEVEL ${level}`;
      }
      const readOnly = headerFlag(header(req, 'Neon-Batch-Read-Only'), 'Neon-Batch-Read-Only');
      if (readOnly !== undefined) begin += readOnly ? ' READ ONLY' : ' READ WRITE';
      const deferrable = headerFlag(header(req, 'Neon-Batch-Deferrable'), 'Neon-Batch-Deferrable');
      if (deferrable !== undefined) begin += deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE';
    } else {
      single = parseWireQuery(payload);
      queries = [single];
    }

    const pool = poolFor(header(req, 'Neon-Connection-String'));
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      if (single) return { status: 200, body: await run(client, single, arrayMode, rawText) };
      await client.query(begin);
      try {
        const results: WireResult[] = [];
        for (const q of queries) results.push(await run(client, q, arrayMode, rawText));
        await client.query('COMMIT');
        return { status: 200, body: { results } };
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
    } finally {
      // A connection left inside a transaction (e.g. a lone `BEGIN`) is discarded, as Neon does.
      if (!broken && client.getTransactionStatus() !== 'I') broken = new Error('connection left in a transaction');
      client.release(broken ?? false);
    }
  }

  const server = http.createServer((req, res) => {
    requests++;
    const send = (status: number, body: unknown) => {
      const json = typeof body !== 'string';
      res.writeHead(status, { 'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8' });
      res.end(json ? JSON.stringify(body) : body);
    };
    handle(req).then(
      ({ status, body }) => send(status, body),
      (err: unknown) => {
        if (err instanceof BadRequest) {
          send(400, { message: err.message });
        } else if (isDatabaseError(err)) {
          const body: Record<string, unknown> = { message: err.message };
          for (const k of ERROR_FIELDS) body[k] = (err as unknown as Record<string, unknown>)[k] ?? null;
          send(400, body);
        } else {
          send(502, `neon-http-endpoint: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.end()));
    },
  };
}
