import type { CommandSpec } from './command.js';

/**
 * Every command, registered in one list. Only names and summaries live here, so `octo --help`
 * loads no command module; the command being run is imported on demand.
 */

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ default: CommandSpec<any> }>;
}

/** Command groups and what they are for (shown in `octo --help`). */
export const GROUPS: Record<string, string> = {
  profile: 'Manage Azure OpenAI profiles (endpoints, keys, deployments)',
  jobs: 'List, wait for and cancel generation jobs',
  videos: 'List, show, download and delete generated videos',
  costs: 'Spend reports and monthly budgets',
  db: 'Database schema: migrate and status',
  config: 'Read and write local settings',
};

export const COMMANDS: CommandEntry[] = [
  { name: 'config get', summary: 'Print one setting', load: () => import('../commands/config/get.js') },
  { name: 'config set', summary: 'Change one setting', load: () => import('../commands/config/set.js') },
  { name: 'config list', summary: 'Print all settings', load: () => import('../commands/config/list.js') },
  { name: 'db migrate', summary: 'Apply pending schema migrations', load: () => import('../commands/db/migrate.js') },
  { name: 'db status', summary: 'Show applied and pending migrations', load: () => import('../commands/db/status.js') },
];
