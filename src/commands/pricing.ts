import { defineCommand } from '../cli/command.js';
import { loadPricing } from '../costs/pricing.js';
import { rows } from '../output/result.js';

export default defineCommand({
  description: [
    'USD per generated second; cost = price x seconds x variants. These are estimates, not bills:',
    'Microsoft publishes no per-second Sora 1 price. Replace any row with a JSON file of',
    '[{model, size, usd_per_second, source, as_of}]: octo config set pricing-file PATH.',
    'Which model versions are retired or retiring: octo models.',
  ].join('\n'),
  examples: ['octo pricing', 'octo pricing --json', 'octo config set pricing-file ./prices.json'],
  async run({ ctx }) {
    const table = loadPricing({ pricingFile: ctx.config().get('pricing-file'), cwd: ctx.cwd });
    const list = table.rows.map((row) => ({ ...row }));
    return rows(
      list,
      [
        { key: 'model', header: 'MODEL' },
        { key: 'size', header: 'SIZE' },
        // Enough decimals for sora-1's per-size prices (0.05 x pixels / 921600), never cut.
        {
          key: 'usd_per_second',
          header: 'USD/S (ESTIMATE)',
          align: 'right',
          format: (v) =>
            `$${Number(v)
              .toFixed(6)
              .replace(/0{1,4}$/, '')}`,
        },
        { key: 'source', header: 'SOURCE' },
        { key: 'as_of', header: 'AS OF' },
      ],
      {
        notes: [
          `pricing ${table.version}${table.file ? ` (${table.file} over the built-in table)` : ' (built in)'}; every number is an estimate, not a bill`,
          'which model versions are retired or retiring, and when: octo models',
        ],
        json: list,
      },
    );
  },
});
