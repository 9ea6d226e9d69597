/**
 * Entry of the detached embedded-database server (`dist/embedded-server.js`), started by
 * `openEmbedded` when no server is running. argv: DATA_DIR [IDLE_MS]
 */
import { runEmbeddedServer } from './server.js';

const [dataDir, idle] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: embedded-server DATA_DIR [IDLE_MS]\n');
  process.exit(2);
}
const stamp = () => new Date().toISOString();
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
