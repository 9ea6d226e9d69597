// The "MCP server" section (issue 20): how long `octo mcp` takes from its start to its first
// tools/list answer, how long it takes to exit once stdin closes, and what one `generate` tool call
// costs next to `octo generate --no-wait` in a terminal. Run with the whole bench
// (scripts/bench/run.mjs), or alone: node scripts/bench/mcp.mjs (a database at
// OCTO_BENCH_DATABASE_URL as for run.mjs; the embedded one without it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, median, startChild, timeOnce } from './measure.mjs';

const PROTOCOL = '2025-06-18';

/** `octo mcp` as a child speaking JSON-RPC by hand (no client library in the measured path). */
function mcpChild(node, octo, env, args = []) {
  const started = performance.now();
  const child = spawn(node, [octo, 'mcp', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map();
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      waiting.get(message.id)?.(message);
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve({ code, at: performance.now() })));
  let next = 1;
  const request = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  const notify = (method, params = {}) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  return { child, started, request, notify, exited, stderr: () => stderr };
}

async function initialized(server) {
  await server.request('initialize', { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'octo-bench', version: '0' } });
  server.notify('notifications/initialized');
}

/** Spawn → first tools/list answer, and stdin closed → exit, in ms. */
async function startAndStop(node, octo, env) {
  const server = mcpChild(node, octo, env);
  await initialized(server);
  const { tools } = await server.request('tools/list');
  const listed = performance.now() - server.started;
  const closing = performance.now();
  server.child.stdin.end();
  const { code, at } = await server.exited;
  if (code !== 0) throw new Error(`octo mcp exited ${code}: ${server.stderr().slice(-500)}`);
  return { listed, exit: at - closing, tools: tools.length };
}

/**
 * @param {{ node: string, octo: string, env: Record<string, string>, runs: number, record: (row: object) => void, log: (line: string) => void }} o
 */
export async function benchMcp({ node, octo, env, runs, record, log }) {
  log('MCP server: start-up to the first tools/list answer, exit after stdin closes');
  const [bare] = interleaved([{ name: 'node -e 0', command: node, args: ['-e', '0'] }], runs);
  await startAndStop(node, octo, env); // warm the disk cache and the embedded server
  const starts = [];
  for (let i = 0; i < runs; i += 1) starts.push(await startAndStop(node, octo, env));
  const listedMs = median(starts.map((s) => s.listed));
  const exitMs = Math.max(...starts.map((s) => s.exit));
  record({
    target: `octo mcp start → first tools/list (${starts[0].tools} tools) ≤ 4× node -e 0`,
    measured: `${listedMs.toFixed(1)} ms (${(listedMs / bare.median_ms).toFixed(2)}× node -e 0, ${bare.median_ms.toFixed(1)} ms)`,
    value: listedMs,
    ok: listedMs / bare.median_ms <= 4,
  });
  record({ target: 'octo mcp exit after stdin closes ≤ 5 s (slowest run)', measured: `${exitMs.toFixed(0)} ms`, value: exitMs, ok: exitMs <= 5000 });
  await benchGenerate({ node, octo, env, runs, record, log });
}

/**
 * One generation through a running server's `generate` tool next to `octo generate --no-wait` in
 * a terminal, against the emulator, interleaved. The tool answers once the line is recorded and
 * submits it after: both its answer and its create (as the emulator sees it) are timed.
 */
async function benchGenerate({ node, octo, env, runs, record, log }) {
  log('MCP server: a generate tool call against octo generate --no-wait');
  const emulator = await startChild(node, [octo, 'emulator', '--port', '0', '--job-seconds', '1'], { env });
  const creates = async () => (await (await fetch(`${emulator.line}/_emulator/stats`)).json()).creates['sora-2'];
  const server = mcpChild(node, octo, env, ['--profile', 'mcp-bench']);
  try {
    timeOnce(
      node,
      [
        octo,
        'profile',
        'add',
        'mcp-bench',
        '--endpoint',
        emulator.line,
        '--deployment',
        'sora-2',
        '--sora-version',
        'sora-2',
        '--api-key-stdin',
        '--creates-per-minute',
        '0',
      ],
      { env, input: 'emulator-key\n' },
    );
    await initialized(server);
    const cli = [];
    const answers = [];
    const submitted = [];
    for (let i = -2; i < runs; i += 1) {
      const before = await creates();
      const t = timeOnce(node, [octo, 'generate', `bench cli ${i}`, '--profile', 'mcp-bench', '--no-wait', '--no-download', '--json', '--quiet'], { env });
      const started = performance.now();
      const result = await server.request('tools/call', { name: 'generate', arguments: { prompt: `bench mcp ${i}` } });
      const answered = performance.now() - started;
      if (result.isError) throw new Error(`generate tool: ${result.content[0].text}`);
      while ((await creates()) < before + 2) await new Promise((r) => setTimeout(r, 2));
      if (i < 0) continue; // warm-up
      cli.push(t.ms);
      answers.push(answered);
      submitted.push(performance.now() - started);
    }
    const cliMs = median(cli);
    const answerMs = median(answers);
    const submittedMs = median(submitted);
    record({
      target: 'generate tool call (answer: recorded) ≤ 1.2× octo generate --no-wait',
      measured: `${(answerMs / cliMs).toFixed(2)}× (${answerMs.toFixed(1)} ms vs ${cliMs.toFixed(1)} ms)`,
      value: answerMs / cliMs,
      ok: answerMs / cliMs <= 1.2,
    });
    record({
      target: 'generate tool call to its create at the service, vs octo generate --no-wait',
      measured: `${(submittedMs / cliMs).toFixed(2)}× (${submittedMs.toFixed(1)} ms)`,
      value: submittedMs / cliMs,
    });
  } finally {
    server.child.stdin.end();
    await server.exited;
    emulator.child.kill('SIGTERM');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'octo-bench-mcp-'));
  const env = {
    ...process.env,
    OCTO_CONFIG_DIR: join(work, 'config'),
    OCTO_DATA_DIR: join(work, 'data'),
    OCTO_DATABASE_URL: '',
    DATABASE_URL: '',
    NO_COLOR: '1',
    OCTO_TOKEN: '',
  };
  const log = (line) => process.stderr.write(`${line}\n`);
  const octo = join(root, 'bin', 'octo.js');
  try {
    timeOnce(process.execPath, [octo, 'signup', '--email', 'mcp-bench@octo.local', '--name', 'Bench', '--password-stdin'], {
      env,
      input: 'bench-password-1\n',
    });
    await benchMcp({
      node: process.execPath,
      octo,
      env,
      runs: 11,
      record: (row) => log(`  ${row.target}: ${row.measured} ${row.ok === undefined ? '' : row.ok ? '(met)' : '(MISSED)'}`),
      log,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
