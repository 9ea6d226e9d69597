import { CommanderError } from 'commander';
import { renderError } from '../output/errors.js';
import { render } from '../output/render.js';
import { systemTimeZone } from '../costs/period.js';
import { configDir } from '../config/paths.js';
import { openConfig } from '../config/store.js';
import type { Context } from '../context/context.js';
import { createContext, type Io } from './context.js';
import * as errors from '../core/errors.js';
import { EXIT_CODES, exitCodeFor, exitCodeOfResult } from './exit-codes.js';
import { osKeyring, presentedToken } from '../auth/token-store.js';
import { startOpening, type HeadStart } from '../db/connection/head-start.js';
import { asksForHelp, buildProgram, findCommand, fromCommanderError, helpToFlag, type Invocation, unknownCommandWord } from './program.js';
import { octoVersion } from '../core/version.js';

/**
 * The entry point: parses argv, runs one command, renders its output, maps errors to exit
 * codes. The only place that touches process.exit (in `main`); `run` returns the code, so tests
 * call it in process.
 */

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Replace dependency factories (tests). */
  overrides?: Partial<Context>;
  signal?: AbortSignal;
}

export async function run(argv: string[], io: Io, options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  argv = helpToFlag(argv);
  if (argv.length === 1 && ['--version', '-v', '-V'].includes(argv[0]!)) {
    io.stdout.write(`${octoVersion()}\n`);
    return 0;
  }
  // bin/octo.js answers --version and --help itself; everything here serves a real command, so
  // what every command needs is imported statically (one file read) and the rest on demand.
  const entry = findCommand(argv);
  const wantsJson = argv.includes('--json');
  const started = performance.now();
  let ctx: Context | undefined;
  let headStart: HeadStart | undefined;

  const fail = async (error: unknown): Promise<number> => {
    renderError(error, io, { json: wantsJson, debug: argv.includes('--debug') || env.OCTO_DEBUG === '1' });
    return exitCodeFor(error);
  };

  try {
    // One store for the head start and the command, so the config file is read once.
    const config = openConfig(configDir(env), { warn: (line) => io.stderr.write(`warning: ${line}\n`) });
    const unknown = unknownCommandWord(argv);
    if (unknown !== undefined && asksForHelp(argv)) {
      throw new errors.UsageError(`unknown command "${unknown}" for "octo"`, { hint: 'see: octo --help' });
    }
    // The database starts connecting while the command module loads and argv is parsed; help
    // has no side effects, so it opens nothing (no database created, no server left running).
    headStart =
      entry && !entry.noDatabase && !options.overrides?.db && !asksForHelp(argv)
        ? startOpening(argv, env, config, (key) => presentedToken(env, config, key, () => osKeyring(env)))
        : undefined;
    const loaded = await entry?.load();
    const spec = loaded?.default;
    let invocation: Invocation | undefined;
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
        const mapped = fromCommanderError(error, entry?.name);
        if (mapped === 'done') return 0;
        // A group named without a subcommand (e.g. `octo profile`) printed its help: a usage error.
        return await fail(mapped);
      }
      throw error;
    }
    if (!invocation) return 0;

    const g = invocation.globals;
    const controller = new AbortController();
    const onSignal = () => controller.abort(new errors.InterruptedError());
    // \`on\`, not \`once\`: ora's signal-exit re-raises a signal nobody else listens to any more,
    // which killed octo before it could say how to pick the work up again.
    let signals = 0;
    const onProcessSignal = () => {
      signals += 1;
      if (signals === 1) onSignal();
      // A second Ctrl-C while the first one is being handled: leave now.
      else process.exit(EXIT_CODES.interrupted);
    };
    process.on('SIGINT', onProcessSignal);
    process.on('SIGTERM', onProcessSignal);
    options.signal?.addEventListener('abort', onSignal, { once: true });
    try {
      ctx = createContext({
        processEnv: env,
        cwd: options.cwd ?? process.cwd(),
        io,
        signal: controller.signal,
        config,
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
        headStart,
      });
      if (ctx.globals.json && ctx.globals.csv) throw new errors.UsageError('--json and --csv cannot be used together');
      ctx.log.debug(`${invocation.name}: parsed (bundle loaded at ${started.toFixed(1)} ms)`);
      const result = await invocation.run(ctx);
      const commandResult = result && 'kind' in result ? { output: result } : (result ?? {});
      // The zone only matters for times on a terminal; asking Intl for it costs ~18 ms of ICU start-up.
      const localTimes = Boolean(io.stdout.isTTY) && !ctx.globals.json && !ctx.globals.csv;
      if (commandResult.output) await render(commandResult.output, io.stdout, { ...ctx.globals, timeZone: localTimes ? systemTimeZone(env) : undefined });
      ctx.log.debug(`${invocation.name} done in ${(performance.now() - started).toFixed(1)} ms`);
      return exitCodeOfResult(commandResult);
    } finally {
      process.off('SIGINT', onProcessSignal);
      process.off('SIGTERM', onProcessSignal);
      options.signal?.removeEventListener('abort', onSignal);
    }
  } catch (error) {
    return await fail(error);
  } finally {
    if (ctx) await ctx.dispose().catch(() => undefined);
    else await headStart?.db.then((db) => db.close()).catch(() => undefined);
  }
}

/** `octo --help` as commander renders it; the build writes it to dist/help.txt for bin/octo.js. */
export async function renderHelp(): Promise<string> {
  let help = '';
  const program = buildProgram(octoVersion(), undefined, { out: (t) => (help += t), err: (t) => (help += t) }, () => undefined);
  program.configureOutput({ getOutHelpWidth: () => 80 });
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
