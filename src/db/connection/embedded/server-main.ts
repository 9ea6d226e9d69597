/**
 * Entry of the detached embedded-database server (`dist/embedded-server.js`), started by
 * `openEmbedded` when no server is running. argv: DATA_DIR [IDLE_MS]
 * With `--template OUT`, builds the migrated template a first run starts from (scripts/build.mjs).
 */
import { runEmbeddedServer } from './server.js';

const [dataDir, idle] = process.argv.slice(2);
if (!dataDir || (dataDir === '--template' && !idle)) {
  process.stderr.write('usage: embedded-server DATA_DIR [IDLE_MS] | --template OUT\n');
  process.exit(2);
}
const stamp = () => new Date().toISOString();
if (dataDir === '--template' && idle) {
  const { makeTemplate } = await import('./template.js');
  await makeTemplate(idle);
  process.exit(0);
}
runEmbeddedServer({
  dataDir,
  idleMs: Number(idle) > 0 ? Number(idle) : 5 * 60_000,
  log: (line) => process.stderr.write(`${stamp()} ${line}\n`),
}).then(
  (result) => {
    if (result === 'busy') process.stderr.write(`${stamp()} another server owns ${dataDir}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${stamp()} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
