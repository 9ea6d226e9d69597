import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * `bin/octo.js mcp` as an agent runs it: a child process driven by the SDK's own Client over
 * stdio. Everything the server wrote to stderr is kept (scanned for secrets); stdout is the
 * protocol, which the SDK would reject were anything else written to it.
 */

const root = join(import.meta.dirname, '..', '..');

export interface McpSession {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  /** Every tool result of this session, as JSON text (scanned for secrets). */
  results: string[];
  /** Calls a tool; the result as the SDK returned it (its output schema already checked by the SDK). */
  call(name: string, args?: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function startMcp(user: { env: Record<string, string>; out: string }, args: string[] = [], env: Record<string, string> = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(root, 'bin', 'octo.js'), 'mcp', ...args],
    cwd: user.out,
    env: { ...user.env, OCTO_POLL_MS: '20', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  (transport.stderr as Readable | null)?.on('data', (chunk) => (stderr += chunk));
  const client = new Client({ name: 'octo-tests', version: '0' });
  await client.connect(transport);
  const results: string[] = [];
  return {
    client,
    transport,
    stderr: () => stderr,
    results,
    call: async (name, callArgs = {}, options) => {
      const result = (await client.callTool({ name, arguments: callArgs }, undefined, options)) as CallToolResult;
      results.push(JSON.stringify(result));
      return result;
    },
    close: () => client.close(),
  };
}

/** The `{code, message, hint}` of a tool error (the text block holds `{"error": …}`, as `--json` prints it). */
export function toolError(result: CallToolResult): { code: string; message: string; hint: string | null } {
  if (!result.isError) throw new Error(`expected a tool error, got ${JSON.stringify(result.structuredContent)}`);
  const [first] = result.content;
  if (first?.type !== 'text') throw new Error('a tool error without a text block');
  return (JSON.parse(first.text) as { error: { code: string; message: string; hint: string | null } }).error;
}

/** The structured result of a call that must have worked. */
export function data<T = any>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}
