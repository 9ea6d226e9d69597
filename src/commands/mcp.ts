import { defineCommand } from '../cli/command.js';

export default defineCommand({
  description:
    'A Model Context Protocol server on stdin/stdout for coding agents (Claude Code, Codex, VS Code, Cursor),\n' +
    'with the tools estimate, generate, job_status, wait, cancel, list_videos, costs and budget. It acts as the\n' +
    'logged-in user (the cached session, or OCTO_TOKEN) on the active profile, unless a tool call names one\n' +
    '(--profile sets the default). Tool calls run the same code as the commands: the same checks before money\n' +
    'is spent, the same budget reservation, so an agent and a terminal on one budget never pass it together.\n\n' +
    'stdout carries protocol messages only; logs go to stderr (--debug for timings). It exits when stdin\n' +
    'closes; jobs already submitted keep running and are followed up by octo jobs wait (or another call).',
  examples: ['claude mcp add octo -- octo mcp', 'claude mcp add octo -- octo mcp --profile sora2-eastus'],
  epilog: [
    'In mcp.json (Cursor: .cursor/mcp.json, Claude Code: .mcp.json):',
    '  { "mcpServers": { "octo": { "command": "octo", "args": ["mcp"] } } }',
    '',
    'In .vscode/mcp.json:',
    '  { "servers": { "octo": { "type": "stdio", "command": "octo", "args": ["mcp"] } } }',
    '',
  ].join('\n'),
  async run({ ctx }) {
    const { serveStdio } = await import('../mcp/server.js');
    await serveStdio(ctx);
  },
});
