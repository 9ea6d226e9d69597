import { Readable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, type CallToolResult, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { createContext } from '../cli/context.js';
import { configDir } from '../config/paths.js';
import { openConfig } from '../config/store.js';
import type { Context } from '../context/context.js';
import { octoVersion } from '../core/version.js';
import { errorObject, type ErrorObject } from '../output/errors.js';
import { toJson } from '../output/format.js';
import type { ToolCall, ToolSpec } from './tool.js';
import { TOOLS } from './tools/index.js';

/**
 * `octo mcp`: the tools over stdio (JSON-RPC, one message a line). stdout carries protocol
 * messages only: each call runs with an Io whose stdout is stderr, quiet, with no progress
 * drawing, so nothing a feature writes can break a frame. Every call has a Context of its own over
 * the server's one database: its session is checked again (a login or logout meanwhile counts),
 * its profile is the one it names, and it stops when the client cancels it or the server stops.
 */

const INSTRUCTIONS = [
  'octo generates videos with Sora on Azure OpenAI and keeps a ledger of what they cost.',
  'generate spends real money: call estimate first and tell the user the cost.',
  "The user's monthly budget (see budget) is enforced across every octo process on the database; max_cost_usd caps one call.",
  'generate returns at once with generation ids; follow them with wait (progress notifications) or job_status.',
].join(' ');

/** How long in-flight calls get to wind down once stdin closes (the server must be gone within 5 s). */
const STOP_GRACE_MS = 3000;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ServerScope {
  /** The server's own (made by the command): its database, config and signal last as long as the server. */
  ctx: Context;
  /** Aborted when the server stops: every call still running stops too. */
  stopping: AbortSignal;
  /** Work a call leaves running (a batch still pacing its submissions): awaited, briefly, at stop. */
  track(work: Promise<unknown>): void;
}

export function createServer(scope: ServerScope): McpServer {
  const server = new McpServer({ name: 'octo', version: octoVersion() }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: tool.annotations },
      // Registered for tools/list (names, schemas, annotations); tools/call is answered below.
      (args: Record<string, unknown>, extra: Extra) => answer(scope, tool, args, extra),
    );
  }
  // The SDK answers arguments a tool's schema refuses (an unknown key, a missing id, a number out
  // of range) with plain text; octo's contract is {error: {code, message, hint}} for every tool
  // error, so calls are checked here and the SDK's handler for them is replaced.
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = TOOLS.find((t) => t.name === request.params.name);
    if (!tool) return usageError(`no tool named ${JSON.stringify(request.params.name)}`, 'see the tools/list answer for the tools there are');
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) =>
        i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message,
      );
      return usageError(`invalid arguments for ${tool.name}: ${problems.join('; ')}`, `the inputSchema of ${tool.name} (tools/list) says what it takes`);
    }
    return answer(scope, tool, parsed.data, extra);
  });
  return server;
}

function answer(scope: ServerScope, tool: ToolSpec, args: Record<string, unknown>, extra: Extra): Promise<CallToolResult> {
  const result = callTool(scope, tool, args, extra);
  // A stop waits (briefly) for the calls still running to wind down (leases released).
  scope.track(result);
  return result;
}

function usageError(message: string, hint: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: { code: 'usage', message, hint } }) }] };
}

async function callTool(scope: ServerScope, tool: ToolSpec, args: Record<string, unknown>, extra: Extra): Promise<CallToolResult> {
  const signal = AbortSignal.any([scope.stopping, extra.signal]);
  const profile = typeof args.profile === 'string' ? args.profile : undefined;
  const call: ToolCall = { ctx: callContext(scope.ctx, { profile, signal }), progress: progressOf(extra), stopping: scope.stopping, track: scope.track };
  try {
    // Dates as ISO strings and nothing JSON cannot carry: exactly what `--json` prints.
    const data = JSON.parse(toJson(await tool.run(call, args))) as Record<string, unknown>;
    // What the SDK's own handler checked before its replacement above: the answer has what the tool's outputSchema promises.
    tool.output.parse(data);
    return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
  } catch (error) {
    const shown = inToolTerms(errorObject(error), tool);
    if (shown.code === 'failure') scope.ctx.log.debug(`${tool.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: shown }) }] };
  }
}

/**
 * The engine's errors name the command's flags (`--max-cost`, `--since`); an agent calls the tool
 * with its arguments (`max_cost_usd`, `since`): a flag that stands for one of this tool's arguments
 * is named as that argument. Flags the tool has no argument for are left as they are.
 */
export function inToolTerms(shown: ErrorObject, tool: Pick<ToolSpec, 'input' | 'flagArgs'>): ErrorObject {
  const args = new Set(Object.keys(tool.input.shape));
  const renameFlags = (text: string) =>
    text.replace(/(?<![\w-])--([a-z][a-z-]*)(?![\w-])/g, (flag, name: string) => {
      const arg = tool.flagArgs?.[name] ?? name.replaceAll('-', '_');
      return args.has(arg) ? `\`${arg}\`` : flag;
    });
  // A value the caller gave is quoted in messages (`invalid size "--size"`): it stays as given.
  const rename = (text: string) =>
    text
      .split(/("(?:[^"\\]|\\.)*")/)
      .map((part, i) => (i % 2 === 1 ? part : renameFlags(part)))
      .join('');
  return { ...shown, message: rename(shown.message), hint: shown.hint === null ? null : rename(shown.hint) };
}

function progressOf(extra: Extra): ToolCall['progress'] {
  const token = extra._meta?.progressToken;
  if (token === undefined) return async () => undefined;
  return async (progress, total, message) => {
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } }).catch(() => undefined);
  };
}

/**
 * One call's Context: the server's database and keyring; the settings file read again (a login, a
 * logout or `octo config set` in a terminal meanwhile counts), its own session check, its profile
 * and signal.
 */
function callContext(server: Context, o: { profile?: string; signal: AbortSignal }): Context {
  const quietIo = { stdin: Readable.from([]), stdout: server.io.stderr, stderr: server.io.stderr };
  return createContext({
    processEnv: server.processEnv,
    cwd: server.cwd,
    io: quietIo,
    globals: { ...server.globals, json: true, csv: false, color: false, profile: o.profile ?? server.globals.profile },
    signal: o.signal,
    config: openConfig(configDir(server.processEnv)),
    now: server.now,
    overrides: { db: server.db, keyring: server.keyring, databaseTarget: server.databaseTarget },
  });
}

/** Serves until stdin ends (the client went away) or the command's signal fires; resolves when done. */
export async function serveStdio(ctx: Context): Promise<void> {
  const stop = new AbortController();
  const running = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch(() => undefined).finally(() => running.delete(settled));
    running.add(settled);
  };
  const server = createServer({ ctx, stopping: stop.signal, track });
  const { stdin, stdout } = ctx.io;
  const transport = new StdioServerTransport(stdin, stdout);
  const ended = new Promise<void>((resolve) => {
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    server.server.onclose = () => resolve();
  });
  if (stdout === process.stdout) {
    // A dependency that logs with console.log would write into the protocol: send it to stderr.
    for (const name of ['log', 'info', 'debug'] as const) console[name] = console.error;
    // A promise nobody awaited must not end the server (Node's default): say it and keep serving.
    process.on('unhandledRejection', (error) => ctx.log.warn(`octo mcp: ${errorObject(error).message}`));
  }
  await server.connect(transport);
  ctx.log.debug(`mcp: ${TOOLS.length} tools on stdio`);
  if (stdin.isTTY) ctx.log.info('octo mcp: serving on stdin/stdout for an MCP client (see octo mcp --help); Ctrl-D stops it.');
  await ended;
  stop.abort();
  await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
  await server.close().catch(() => undefined);
}
