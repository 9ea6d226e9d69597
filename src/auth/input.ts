import { InterruptedError, UsageError } from '../core/errors.js';
import type { Io } from '../core/io.js';

/**
 * Asking the user for things: prompts only when stdin and stdout are terminals (on stderr),
 * otherwise a usage error naming the flag to use instead. Secrets are read with a masked prompt
 * or from stdin, never from argv.
 */

/** What prompting uses: the terminal, whether it is one, and the command's signal (a command's Context holds all three). */
export interface Prompter {
  io: Io;
  interactive: boolean;
  signal: AbortSignal;
}

/** All of stdin, minus one trailing newline (what `echo pw | octo login --password-stdin` sends). */
export async function readStdin(prompter: Pick<Prompter, 'io'>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of prompter.io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const promptOptions = (prompter: Prompter) => ({ input: prompter.io.stdin, output: prompter.io.stderr, signal: prompter.signal });

async function prompting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new InterruptedError();
    throw error;
  }
}

export function refuseToPrompt(what: string, flag: string): never {
  throw new UsageError(`cannot ask for ${what}: stdin or stdout is not a terminal`, { hint: `pass ${flag}` });
}

export async function askText(prompter: Prompter, message: string, flag: string, options: { default?: string; required?: boolean } = {}): Promise<string> {
  if (!prompter.interactive) refuseToPrompt(message.toLowerCase(), flag);
  const { input } = await import('@inquirer/prompts');
  return prompting(() =>
    input(
      {
        message,
        default: options.default,
        validate: (value: string) => (options.required === false || value.trim() ? true : 'required'),
      },
      promptOptions(prompter),
    ),
  );
}

/** `validate` returns true or what is wrong: the prompt says so and asks again. */
export async function askSecret(prompter: Prompter, message: string, flag: string, validate?: (value: string) => true | string): Promise<string> {
  if (!prompter.interactive) refuseToPrompt(message.toLowerCase(), flag);
  const { password } = await import('@inquirer/prompts');
  return prompting(() => password({ message, mask: '*', ...(validate ? { validate } : {}) }, promptOptions(prompter)));
}

export async function askChoice<T extends string>(prompter: Prompter, message: string, flag: string, choices: readonly T[], preselected?: T): Promise<T> {
  if (!prompter.interactive) refuseToPrompt(message.toLowerCase(), flag);
  const { select } = await import('@inquirer/prompts');
  return prompting(() => select<T>({ message, choices: choices.map((value) => ({ value, name: value })), default: preselected }, promptOptions(prompter)));
}

/** Yes or no (default no), on a terminal only. */
export async function askConfirm(prompter: Prompter, message: string, flag: string): Promise<boolean> {
  if (!prompter.interactive) refuseToPrompt('a confirmation', flag);
  const { confirm } = await import('@inquirer/prompts');
  return prompting(() => confirm({ message, default: false }, promptOptions(prompter)));
}
