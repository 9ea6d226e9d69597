#!/usr/bin/env node
// `npm run demo`: octo end to end, offline, in well under a minute. It starts the Sora emulator on
// a free port, uses a fresh embedded database in a temporary folder, signs up a demo account, adds
// a sora-1 and a sora-2 profile, generates one video and a three-line batch, lists the videos and
// prints the cost summary; then stops everything and removes the temporary folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const octoBin = join(root, 'bin', 'octo.js');
if (!existsSync(join(root, 'dist', 'octo.js'))) {
  console.error('dist/ is missing: run `npm ci` (which builds it) or `npm run build` first.');
  process.exit(1);
}

const temp = mkdtempSync(join(tmpdir(), 'octo-demo-'));
const dataDir = join(temp, 'data');
const work = join(temp, 'work');
mkdirSync(work, { recursive: true });
const API_KEY = 'demo-emulator-key';
const env = {
  ...process.env,
  OCTO_DATA_DIR: dataDir,
  OCTO_CONFIG_DIR: join(temp, 'config'),
  OCTO_DATABASE_URL: '',
  DATABASE_URL: '',
  OCTO_DB_DRIVER: '',
  OCTO_TOKEN: '',
  OCTO_PROFILE: '',
  OCTO_JWT_SECRET: '',
  AZURE_OPENAI_API_KEY: API_KEY,
  AZURE_OPENAI_ENDPOINT: '',
  // The emulator's jobs take about a second: poll often.
  OCTO_POLL_MS: '150',
};

const bold = (t) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${t}\u001b[22m` : t);
let emulator;

function octo(args, { stdin, quietEcho = false } = {}) {
  if (!quietEcho) process.stdout.write(`\n${bold(`$ octo ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [octoBin, ...args], { cwd: work, env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] });
    if (stdin !== undefined) child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`octo ${args[0]} exited with ${code}`))));
  });
}

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [octoBin, 'emulator', '--port', '0', '--api-key', API_KEY, '--job-seconds', '1'], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        resolve({ child, url: buffered.slice(0, nl).trim() });
      }
    };
    child.stdout.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the emulator exited early (${code})`)));
  });
}

async function stopProcess(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function cleanup() {
  if (emulator) {
    emulator.child.removeAllListeners('exit');
    await stopProcess(emulator.child.pid);
  }
  try {
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    await stopProcess(pid);
  } catch {
    // the embedded server never started
  }
  rmSync(temp, { recursive: true, force: true });
}

const started = performance.now();
try {
  emulator = await startEmulator();
  console.log(`octo demo: Sora emulator at ${emulator.url}; a fresh embedded database in ${dataDir}`);

  await octo(['signup', '--email', 'demo@octo.local', '--name', 'Demo', '--password-stdin'], { stdin: 'demo-password-123\n' });
  await octo(['profile', 'add', 'sora1', '--endpoint', emulator.url, '--deployment', 'sora', '--sora-version', 'sora-1']);
  await octo(['profile', 'add', 'sora2', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2']);
  await octo(['profile', 'use', 'sora2']);
  await octo(['profile', 'list']);

  await octo(['generate', 'A paper boat sails down a rainy street at dusk', '--seconds', '4', '--tag', 'demo=single']);

  writeFileSync(
    join(work, 'prompts.txt'),
    `${[
      '# one prompt per line, or JSON Lines with per-line overrides',
      'A lighthouse in a storm, waves crashing',
      'A fox trotting through fresh snow',
      '{"prompt": "A hot-air balloon over a desert at sunrise", "size": "480x480", "variants": 2}',
    ].join('\n')}\n`,
  );
  process.stdout.write(`\n${bold('$ cat prompts.txt')}\n${readFileSync(join(work, 'prompts.txt'), 'utf8')}`);
  await octo(['generate', '--file', 'prompts.txt', '--profile', 'sora1', '--tag', 'demo=batch']);

  await octo(['videos', 'list']);
  await octo(['jobs', 'list']);
  await octo(['costs', '--by', 'model']);
  await octo(['costs', '--by', 'model', '--chart']);

  console.log(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s. Everything it made is being removed.`);
  console.log(`
${bold('Next steps')}, with your own Azure OpenAI resource:
  octo signup                                   # an account in the embedded database (or set OCTO_DATABASE_URL)
  octo profile add main --endpoint https://YOUR-RESOURCE.openai.azure.com \\
    --deployment sora-2 --sora-version sora-2   # asks for the key, checks it with one cheap request
  octo generate "a paper boat on a rainy street" --seconds 8
  octo videos list                              # then: octo videos open ID (any 4+ characters of it)
  octo costs                                    # what it cost (estimates), by model
  eval "$(octo completion bash)"                # TAB completion (zsh, fish: octo completion --help)
Try it offline first: octo emulator --port 0 (prints an endpoint for profile add).`);
} catch (error) {
  console.error(`\ndemo failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
