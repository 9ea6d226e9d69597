import { octoVersion } from './version.js';
import type { Io } from './deps.js';
import type { Deps } from './deps.js';

/**
 * The entry point: parses argv, runs one command, renders its output, maps errors to exit
 * codes. The only place that touches process.exit (in `main`); `run` returns the code, so tests
 * call it in process.
 */

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Replace dependency factories (tests). */
  overrides?: Partial<Deps>;
  signal?: AbortSignal;
}

export async function run(argv: string[], io: Io, options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${octoVersion()}\n`);
    return 0;
  }
  const [{ buildProgram, findCommand, fromCommanderError }, { CommanderError }, errors, { exitCodeFor }] = await Promise.all([
    import('./program.js'),
    import('commander'),
    import('./errors.js'),
    import('./exit-codes.js'),
  ]);
  const entry = findCommand(argv);
  const wantsJson = argv.includes('--json');
  const started = performance.now();
  let deps: Deps | undefined;

  const fail = async (error: unknown): Promise<number> => {
    const { renderError } = await import('../output/errors.js');
    renderError(error, io, { json: wantsJson, debug: argv.includes('--debug') || env.OCTO_DEBUG === '1' });
    return exitCodeFor(error);
  };

  try {
    const spec = entry ? (await entry.load()).default : undefined;
    let invocation: import('./program.js').Invocation | undefined;
    const program = buildProgram(
      octoVersion(),
      entry && spec ? { entry, spec } : undefined,
      { out: (text) => io.stdout.write(text), err: (text) => io.stderr.write(text) },
      (received) => {
        invocation = received;
      },
    );
    try {
      if (argv.length === 0) {
        program.outputHelp();
        return 0;
      }
      await program.parseAsync(argv, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) {
        const mapped = fromCommanderError(error);
        if (mapped === 'done') return 0;
        // A group named without a subcommand (e.g. `octo profile`) printed its help: a usage error.
        return await fail(mapped);
      }
      throw error;
    }
    if (!invocation) return 0;

    const { createDeps } = await import('./deps.js');
    const g = invocation.globals;
    const controller = new AbortController();
    const onSignal = () => controller.abort(new errors.InterruptedError());
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    options.signal?.addEventListener('abort', onSignal, { once: true });
    try {
      deps = createDeps({
        env,
        cwd: options.cwd ?? process.cwd(),
        io,
        signal: controller.signal,
        globals: {
          json: Boolean(g.json),
          csv: Boolean(g.csv),
          quiet: Boolean(g.quiet),
          debug: Boolean(g.debug) || env.OCTO_DEBUG === '1',
          color: g.color !== false && !env.NO_COLOR && Boolean(io.stdout.isTTY || io.stderr.isTTY),
          profile: (g.profile as string | undefined) ?? env.OCTO_PROFILE,
          databaseUrl: g.databaseUrl as string | undefined,
        },
        overrides: options.overrides,
      });
      if (deps.globals.json && deps.globals.csv) throw new errors.UsageError('--json and --csv cannot be used together');
      const result = await invocation.spec.run({ deps, opts: invocation.opts, args: invocation.args });
      const { render } = await import('../output/render.js');
      const commandResult = result && 'kind' in result ? { output: result } : (result ?? {});
      if (commandResult.output) await render(commandResult.output, io.stdout, deps.globals);
      deps.log.debug(`${invocation.spec.name} done in ${(performance.now() - started).toFixed(1)} ms`);
      return commandResult.exitCode ?? 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (error) {
    return await fail(error);
  } finally {
    await deps?.dispose().catch(() => undefined);
  }
}

/** `octo --help` as commander renders it; the build writes it to dist/help.txt for bin/octo.js. */
export async function renderHelp(): Promise<string> {
  const { buildProgram } = await import('./program.js');
  let help = '';
  const program = buildProgram(octoVersion(), undefined, { out: (t) => (help += t), err: (t) => (help += t) }, () => undefined);
  program.configureOutput({ writeOut: (t) => (help += t), writeErr: (t) => (help += t), getOutHelpWidth: () => 80 });
  program.outputHelp();
  return help;
}

/** Called by bin/octo.js. */
export async function main(): Promise<never> {
  const code = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  // Let stdout drain before exiting (pipes to `head`, `jq`).
  await new Promise<void>((resolve) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', resolve) : resolve()));
  process.exit(code);
}
