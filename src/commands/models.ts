import { defineCommand } from '../cli/command.js';
import { lifecycleView, type LifecycleView } from '../costs/lifecycle.js';
import { rows } from '../output/result.js';
import { SORA1_SIZES, SORA2_PRO_SIZES, SORA2_SIZES } from '../sora/validate.js';

/** Which sizes each model takes: the one place help says which size needs which model. */
export const MODEL_SIZES = [
  `sora-1: ${SORA1_SIZES.join(', ')}`,
  `sora-2: ${SORA2_SIZES.join(', ')}`,
  `sora-2-pro: ${SORA2_PRO_SIZES.join(', ')} (1024x1792 and 1792x1024 need sora-2-pro)`,
];

export default defineCommand({
  description: [
    'Each Sora model version: whether it is still served, when it retires, with source and date per row.',
    'The status is worked out from the date today.',
  ].join('\n'),
  examples: ['octo models', 'octo models --json'],
  epilog: ['Sizes each model takes:', ...MODEL_SIZES.map((line) => `  ${line}`)].join('\n'),
  async run({ ctx }) {
    const list = lifecycleView(ctx.now());
    return rows<LifecycleView>(
      list,
      [
        { key: 'model', header: 'MODEL' },
        { key: 'version', header: 'VERSION', format: (v) => v ?? 'any' },
        { key: 'service', header: 'SERVICE' },
        { key: 'status', header: 'STATUS' },
        { key: 'retires_on', header: 'RETIRES', format: (v) => v ?? '-' },
        { key: 'note', header: 'NOTE', optional: true },
        { key: 'source', header: 'SOURCE', flex: true },
        { key: 'as_of', header: 'AS OF' },
      ],
      {
        notes: ['a retired deployment answers every request with an error; nothing is created or billed. Prices: octo pricing'],
        json: list,
      },
    );
  },
});
