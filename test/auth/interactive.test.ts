import { until } from '../support/until.js';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { cliEnv, transcript } from '../support/run-cli.js';

/** On a terminal, signup and login ask (prompts on stderr, the password masked). */
describe('interactive prompts', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pg');
  });
  afterAll(async () => {
    await database?.drop();
  });

  // Like process.stderr, these survive end(): Inquirer pipes each prompt into the output and ends the pipe.
  const tty = () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    stream.end = (() => stream) as typeof stream.end;
    return stream;
  };

  async function converse(argv: string[], env: Record<string, string>, answers: [string, string][]) {
    const stdin = tty();
    const stdout = tty();
    const stderr = tty();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const done = run(argv, { stdin, stdout, stderr }, { env });
    let from = 0;
    for (const [question, answer] of answers) {
      // Answer once the question is on stderr.
      await until(() => err.indexOf(`? ${question}`, from) >= 0, 30_000, `the question ${question}`);
      from = err.indexOf(`? ${question}`, from) + 1;
      stdin.write(`${answer}\n`);
      // Go on from where the prompt shows it answered.
      await until(() => err.indexOf(`✔ ${question}`, from) >= 0, 30_000, `the answer to ${question}`);
      from = err.indexOf(`✔ ${question}`, from) + 1;
    }
    const code = await done;
    transcript.push(out, err);
    return { code, out, err };
  }

  it('signs up and logs in by answering prompts; the password never shows', async () => {
    const env = cliEnv(database.env);
    const signup = await converse(['signup'], env, [
      ['Email', 'Tty@X.io'],
      ['Name', 'Tee'],
      ['Password', 'typed secret 1'],
      ['Password again', 'typed secret 1'],
    ]);
    expect(signup.code, signup.err).toBe(0);
    expect(signup.err).toContain('Email');
    expect(signup.err).toContain('Password again');
    expect(signup.err).toContain('Password');
    expect(signup.out).toContain('tty@x.io');
    const login = await converse(['login'], env, [
      ['Email', 'tty@x.io'],
      ['Password', 'typed secret 1'],
    ]);
    expect(login.code, login.err).toBe(0);
    expect(signup.out + signup.err + login.out + login.err).not.toContain('typed secret 1');
  });

  it('profile add asks for the deployment, then the Sora version with the family its name suggests preselected', async () => {
    const env = { ...cliEnv(database.env), AZURE_OPENAI_API_KEY: 'sk-typed-0000000000-key9' };
    const signup = await converse(['signup'], env, [
      ['Email', 'deploy@x.io'],
      ['Name', 'Dee'],
      ['Password', 'typed secret 2'],
      ['Password again', 'typed secret 2'],
    ]);
    expect(signup.code, signup.err).toBe(0);
    for (const [name, deployment, family] of [
      ['two', 'sora-2', 'sora-2'],
      ['one', 'sora', 'sora-1'],
    ]) {
      // Enter alone takes the preselected choice.
      const added = await converse(['profile', 'add', name!, '--endpoint', 'https://x.openai.azure.com', '--no-check'], env, [
        ['Deployment', deployment!],
        ['Sora version', ''],
      ]);
      expect(added.code, added.err).toBe(0);
      expect(added.err).toContain(`✔ Sora version ${family}`);
    }
  });

  it('signup asks again for a short password, and again for two that differ, instead of aborting', async () => {
    const env = cliEnv(database.env);
    const stdin = tty();
    const stdout = tty();
    const stderr = tty();
    let err = '';
    stderr.on('data', (c) => (err += c));
    const done = run(['signup'], { stdin, stdout, stderr }, { env });
    const waitFor = async (text: string, from = 0) => {
      await until(() => err.indexOf(text, from) >= 0, 30_000, text).catch(() => undefined);
      expect(err.indexOf(text, from), `waiting for ${text} in:\n${err}`).toBeGreaterThanOrEqual(from);
      return err.indexOf(text, from) + 1;
    };
    let at = await waitFor('? Email');
    stdin.write('again@x.io\n');
    at = await waitFor('? Name', at);
    stdin.write('Again\n');
    at = await waitFor('? Password', at);
    stdin.write('short\n');
    at = await waitFor('at least 8 characters', at);
    stdin.write('\u0015long enough 1\n');
    at = await waitFor('? Password again', at);
    stdin.write('long enough 2\n');
    at = await waitFor('the two passwords differ; once more', at);
    at = await waitFor('? Password', at);
    stdin.write('long enough 3\n');
    at = await waitFor('? Password again', at);
    stdin.write('long enough 3\n');
    expect(await done, err).toBe(0);
    transcript.push(err);
  });
});
