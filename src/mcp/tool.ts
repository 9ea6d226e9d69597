import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import type { Context } from '../context/context.js';

/**
 * One MCP tool: its name, what it costs (in its description, which is all an agent reads), a JSON
 * Schema for its arguments and one for its result (the `--json` keys of the matching command),
 * and `run`, which calls the same feature functions as that command and returns their data.
 * Errors are thrown as the commands throw them; the server turns them into tool errors.
 */

export interface ToolCall {
  /** This call's own: its session check, its profile, its abort signal (the call's or the server's). */
  ctx: Context;
  /** Sends `notifications/progress` when the client asked for it (a progressToken); else nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Aborted when the server stops (stdin closed): for work that outlives the call's answer. */
  stopping: AbortSignal;
  /** Work the call leaves running after it answers (a batch still pacing): the server waits for it, briefly, when it stops. */
  track(work: Promise<unknown>): void;
}

export interface ToolSpec<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** Strict: an argument the tool does not know is refused, never silently dropped (money is at stake). */
  input: I;
  /** Loose: more keys are welcome, as in the `--json` contract; the ones listed are always there. */
  output: O;
  annotations: ToolAnnotations;
  /** The command's flags whose argument here has another name (`max-cost`: `max_cost_usd`), so errors name the argument. */
  flagArgs?: Record<string, string>;
  /**
   * The tool's data, before JSON: Dates become ISO strings as in `--json`. The server checks it
   * against `output` before sending.
   */
  run(call: ToolCall, args: z.output<I>): Promise<object>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): ToolSpec<I, O> {
  return spec;
}
