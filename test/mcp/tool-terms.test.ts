import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { inToolTerms } from '../../src/mcp/server.js';

describe("an MCP tool's errors in its own terms", () => {
  const tool = { input: z.strictObject({ since: z.string(), size: z.string(), max_cost_usd: z.number() }), flagArgs: { 'max-cost': 'max_cost_usd' } };
  const shown = (message: string, hint: string | null = null) => inToolTerms({ code: 'usage', message, hint }, tool);

  it("names the tool's arguments for the command's flags, and leaves flags it has no argument for", () => {
    expect(shown('--since 2027-01-01 is after today', 'give --size or --out DIR').message).toBe('`since` 2027-01-01 is after today');
    expect(shown('x', 'give --size or --out DIR').hint).toBe('give `size` or --out DIR');
    expect(shown('the estimate $2.00 is above --max-cost $1.00').message).toBe('the estimate $2.00 is above `max_cost_usd` $1.00');
  });

  it('never rewrites a value the caller gave, quoted in the message', () => {
    expect(shown('invalid size "--size": expected WIDTHxHEIGHT').message).toBe('invalid size "--size": expected WIDTHxHEIGHT');
    expect(shown('invalid --since "--since \\"x\\"" (try 7d)').message).toBe('invalid `since` "--since \\"x\\"" (try 7d)');
  });
});
