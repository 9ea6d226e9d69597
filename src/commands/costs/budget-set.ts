import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { setMonthlyBudget } from '../../costs/budgets.js';
import { formatUsd } from '../../core/money.js';
import { message } from '../../output/result.js';

export function parseUsd(value: string, name = '--monthly'): number {
  const trimmed = value.trim().replace(/^\$/, '');
  if (!/^\d{1,8}(\.\d{1,4})?$/.test(trimmed)) {
    throw new UsageError(`${name} must be an amount in USD with at most 4 decimals, e.g. 25 or 12.50 (got "${value}")`);
  }
  return Number(trimmed);
}

export default defineCommand({
  description: [
    'generate refuses (exit 5) when month-to-date completed spend + in-flight estimates + its own',
    "estimate would pass a budget that applies: yours, and the profile's own if set with --profile.",
    'A profile budget takes the global --profile NAME (or OCTO_PROFILE); the profile must be yours.',
    'Months follow the system time zone. Amounts are estimates (octo pricing), not bills.',
  ].join('\n'),
  // `budget set 5` is what people type first: the amount is taken as an argument too.
  args: ['[usd]'],
  options: [{ flags: '--monthly <usd>', description: 'budget in USD per calendar month (or give it as the argument)', parse: (v: string) => parseUsd(v) }],
  examples: ['octo costs budget set 50', 'octo costs budget set --monthly 10 --profile work'],
  async run({ ctx, opts, args }) {
    const given = args[0] === undefined ? undefined : parseUsd(args[0], 'the budget');
    if (given !== undefined && opts.monthly !== undefined && given !== opts.monthly) {
      throw new UsageError(`two amounts given: ${args[0]} and --monthly ${opts.monthly}`, { hint: 'give one: octo costs budget set 50' });
    }
    const monthly = given ?? opts.monthly;
    if (monthly === undefined) throw new UsageError('the monthly amount in USD is required', { hint: 'e.g. octo costs budget set 50 (or --monthly 50)' });
    const session = await ctx.session();
    const budget = await setMonthlyBudget(await ctx.db(), session, { profile: ctx.globals.profile || null, monthlyUsd: monthly });
    const scope = budget.profile_name ? `profile ${budget.profile_name}` : 'all your spend';
    return message(`Monthly budget for ${scope}: ${formatUsd(budget.monthly_usd)} (estimates).`, budget);
  },
});
