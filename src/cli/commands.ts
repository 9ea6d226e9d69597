import type { CommandEntry } from './command.js';

export type { CommandEntry };

/**
 * The command manifest: every command's name and one-line summary, once. Help, the registry and
 * completion are built from it (with each command's options from its definition, loaded on
 * demand), so `octo --help` loads no command module. Adding a command is one entry here and one
 * file under src/commands.
 */

/** Command groups and what they are for (shown in `octo --help`). */
export const GROUPS: Record<string, string> = {
  profile: 'Manage Azure OpenAI profiles (endpoints, keys, deployments)',
  jobs: 'List, show, wait for, cancel and reconcile generation jobs',
  videos: 'List, show, open, download, upload, link and delete generated videos; a gallery page of them',
  costs: 'Spend reports and monthly budgets',
  'costs budget': 'Monthly budgets that generate cannot pass',
  db: 'Database schema: migrate and status; stop the embedded server',
  'db members': 'Teams on one database: row-level security and a member login role',
  config: 'Read and write local settings',
};

export const COMMANDS: CommandEntry[] = [
  { name: 'signup', summary: 'Create an account and log in', load: () => import('../commands/signup.js') },
  { name: 'login', summary: 'Log in and cache a session token for this database', load: () => import('../commands/login.js') },
  { name: 'logout', summary: 'End the session and forget the cached token', load: () => import('../commands/logout.js') },
  { name: 'whoami', summary: 'Show the logged-in user, database and session expiry', load: () => import('../commands/whoami.js') },
  { name: 'passwd', summary: 'Change your password and end every other session', load: () => import('../commands/passwd.js') },
  { name: 'profile add', summary: 'Add an Azure OpenAI profile (the first one becomes active)', load: () => import('../commands/profile/add.js') },
  { name: 'profile use', summary: 'Make a profile the active one', load: () => import('../commands/profile/use.js') },
  { name: 'profile list', summary: 'List your profiles (the active one marked *)', load: () => import('../commands/profile/list.js') },
  { name: 'profile show', summary: 'Show one profile (the API key masked)', load: () => import('../commands/profile/show.js') },
  { name: 'profile update', summary: "Change a profile's endpoint, deployment, Sora version or key", load: () => import('../commands/profile/update.js') },
  { name: 'profile remove', summary: 'Delete a profile', load: () => import('../commands/profile/remove.js') },
  {
    name: 'profile test',
    summary: 'Check a profile with one cheap authenticated call (default: the active one)',
    load: () => import('../commands/profile/test.js'),
  },
  { name: 'config get', summary: 'Print one setting', noDatabase: true, load: () => import('../commands/config/get.js') },
  { name: 'config set', summary: 'Change one setting (empty value clears it)', noDatabase: true, load: () => import('../commands/config/set.js') },
  { name: 'config unset', summary: 'Remove one setting (its default applies again)', noDatabase: true, load: () => import('../commands/config/unset.js') },
  { name: 'config list', summary: 'Print all settings', noDatabase: true, load: () => import('../commands/config/list.js') },
  { name: 'version', summary: 'Print the version (also -v, --version)', noDatabase: true, load: () => import('../commands/version.js') },
  { name: '__complete', summary: 'Values for the completion scripts (profiles, jobs, videos)', hidden: true, load: () => import('../commands/complete.js') },
  { name: 'completion', summary: 'Print a shell completion script (bash, zsh or fish)', noDatabase: true, load: () => import('../commands/completion.js') },
  { name: 'costs', summary: 'What your generations cost (estimates), grouped by day, model, profile…', load: () => import('../commands/costs/report.js') },
  {
    name: 'costs budget set',
    summary: 'Set a monthly budget (for all spend, or one profile with --profile)',
    load: () => import('../commands/costs/budget-set.js'),
  },
  {
    name: 'costs budget show',
    summary: 'Show each monthly budget with month-to-date spend, in-flight estimates and what remains',
    load: () => import('../commands/costs/budget-show.js'),
  },
  {
    name: 'costs budget clear',
    summary: 'Remove the monthly budget (for all spend, or one profile with --profile)',
    load: () => import('../commands/costs/budget-clear.js'),
  },
  {
    name: 'pricing',
    summary: 'Show the price table in force (estimates), with source and date per row',
    noDatabase: true,
    load: () => import('../commands/pricing.js'),
  },
  {
    name: 'models',
    summary: 'Show each Sora model version: status and retirement date, with source and date per row',
    noDatabase: true,
    load: () => import('../commands/models.js'),
  },
  { name: 'generate', summary: 'Generate a video from a prompt (or a batch from a file)', load: () => import('../commands/generate.js') },
  { name: 'jobs list', summary: 'List generation jobs, newest first', load: () => import('../commands/jobs/list.js') },
  { name: 'jobs show', summary: 'Show one job: status, request, estimate, times and files', load: () => import('../commands/jobs/show.js') },
  { name: 'jobs wait', summary: 'Wait for a job (or every unfinished one) and download its videos', load: () => import('../commands/jobs/wait.js') },
  { name: 'jobs cancel', summary: 'Cancel a job', load: () => import('../commands/jobs/cancel.js') },
  {
    name: 'jobs reconcile',
    summary: "Record the service's jobs octo has no record of (extra, paid jobs of a line)",
    load: () => import('../commands/jobs/reconcile.js'),
  },
  { name: 'videos list', summary: 'List generated videos, newest first', load: () => import('../commands/videos/list.js') },
  { name: 'videos show', summary: 'Show one video', load: () => import('../commands/videos/show.js') },
  { name: 'videos open', summary: "Open a video with the system's player (--print: its path)", load: () => import('../commands/videos/open.js') },
  { name: 'videos download', summary: 'Download a video again from Azure (within 24 h of its creation)', load: () => import('../commands/videos/download.js') },
  {
    name: 'videos upload',
    summary: 'Upload videos to Azure Blob Storage (storage-url) and record playable URLs',
    load: () => import('../commands/videos/upload.js'),
  },
  { name: 'videos link', summary: 'Print (and record) a fresh playable URL for a video in storage', load: () => import('../commands/videos/link.js') },
  {
    name: 'videos gallery',
    summary: 'Write one self-contained HTML page that plays every video of a batch (or the newest)',
    load: () => import('../commands/videos/gallery.js'),
  },
  { name: 'videos delete', summary: 'Delete a video record (and with --files its local files)', load: () => import('../commands/videos/delete.js') },
  {
    name: 'emulator',
    summary: 'Run a local Sora-compatible server (both API families) for tests and demos',
    noDatabase: true,
    load: () => import('../commands/emulator.js'),
  },
  { name: 'mcp', summary: 'Serve the octo tools to coding agents over MCP (stdio)', load: () => import('../commands/mcp.js') },
  { name: 'doctor', summary: 'Check the setup: config, database, session, profile, Azure endpoint, storage', load: () => import('../commands/doctor.js') },
  {
    name: 'db migrate',
    summary: 'Apply pending schema migrations (safe to run twice, or from two terminals)',
    load: () => import('../commands/db/migrate.js'),
  },
  {
    name: 'db status',
    summary: 'Show applied and pending migrations (and the embedded server: pid, memory, idle time)',
    load: () => import('../commands/db/status.js'),
  },
  {
    name: 'db stop',
    summary: 'Stop the embedded database server now (the next command starts it again)',
    noDatabase: true,
    load: () => import('../commands/db/stop.js'),
  },
  {
    name: 'db members enable',
    summary: "Install row-level security and a member login role; print the members' URL",
    load: () => import('../commands/db/members-enable.js'),
  },
  { name: 'db members disable', summary: 'Drop the member role and the row-level security policies', load: () => import('../commands/db/members-disable.js') },
];
