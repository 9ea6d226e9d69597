import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';

/**
 * Azurite (Microsoft's storage emulator) on a free loopback port, blob service only, in memory,
 * and ALWAYS with --disableTelemetry (without it Azurite reports usage off the machine).
 */

export const DEV_ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  url: string;
  port: number;
  /** AZURE_STORAGE_CONNECTION_STRING for the dev account. */
  connectionString: string;
  /** A container client with the account key (test set-up and inspection). */
  container(name: string): ContainerClient;
  /** Creates a container, public-read (`blob`) or private. */
  createContainer(name: string, access?: 'blob'): Promise<string>;
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..');

/** `tls`: serve https with this certificate and accept Entra ID (OAuth) tokens, checked for shape only. */
export async function startAzurite(tls?: { cert: string; key: string }): Promise<Azurite> {
  const location = mkdtempSync(join(tmpdir(), 'octo-azurite-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      ...(tls ? ['--cert', tls.cert, '--key', tls.key, '--oauth', 'basic'] : []),
    ],
    // In memory: nothing is written; its working folder is a fresh temporary one all the same.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: location },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /listens on https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`Azurite exited (${code}): ${out}`)));
  });
  child.stdout!.resume();
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  const container = (name: string) => new ContainerClient(`${url}/${name}`, credential);
  return {
    url,
    port,
    connectionString: `DefaultEndpointsProtocol=${tls ? 'https' : 'http'};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${url};`,
    container,
    async createContainer(name, access) {
      await container(name).create(access ? { access } : {});
      return `${url}/${name}`;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(location, { recursive: true, force: true });
    },
  };
}
