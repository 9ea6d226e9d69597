import type { PGlite } from '@electric-sql/pglite';

/**
 * Serialises Postgres protocol traffic from many socket connections onto one PGlite session.
 *
 * pglite-socket's own queue interleaves single messages, so connection B's Parse can land
 * between connection A's Parse and Execute, and A then runs B's statement. This queue runs a
 * connection's messages as one group up to its Sync (or simple Query), and while a group leaves
 * a transaction open, only that connection's groups run until it ends.
 *
 * It implements the slice of pglite-socket's QueryQueueManager that PGLiteSocketHandler calls.
 */

/** Extended-protocol messages that are buffered until the connection's Sync. */
const BUFFERED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

interface Group {
  handlerId: number;
  messages: Uint8Array[];
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

export class MessageQueue {
  private readonly buffers = new Map<number, Uint8Array[]>();
  private ready: Group[] = [];
  private running = false;
  /** The connection whose transaction is open, if any. */
  private owner: number | null = null;
  lastActivity = Date.now();

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    this.lastActivity = Date.now();
    const type = message[0];
    const isStartup = message.length >= 8 && type === 0;
    if (!isStartup && type !== undefined && BUFFERED.has(type)) {
      const buffer = this.buffers.get(handlerId) ?? [];
      buffer.push(message);
      this.buffers.set(handlerId, buffer);
      return Promise.resolve(0);
    }
    const messages = [...(this.buffers.get(handlerId) ?? []), message];
    this.buffers.delete(handlerId);
    return new Promise((resolve, reject) => {
      this.ready.push({ handlerId, messages, onData, resolve, reject });
      void this.drain();
    });
  }

  private next(): Group | undefined {
    const index = this.owner === null ? 0 : this.ready.findIndex((g) => g.handlerId === this.owner);
    if (index < 0 || index >= this.ready.length) return undefined;
    return this.ready.splice(index, 1)[0];
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let group = this.next(); group; group = this.next()) {
        let bytes = 0;
        try {
          await this.db.runExclusive(async () => {
            for (const message of group!.messages) {
              await this.db.execProtocolRawStream(message, {
                onRawData: (data) => {
                  bytes += data.length;
                  group!.onData(data);
                },
              });
            }
          });
          this.owner = this.db.isInTransaction() ? group.handlerId : null;
          group.resolve(bytes);
        } catch (error) {
          group.reject(error as Error);
        }
        this.lastActivity = Date.now();
      }
    } finally {
      this.running = false;
    }
  }

  getQueueLength(): number {
    return this.ready.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.buffers.delete(handlerId);
    this.ready = this.ready.filter((group) => {
      if (group.handlerId !== handlerId) return true;
      group.reject(new Error('connection closed'));
      return false;
    });
  }

  /** A connection that dies inside a transaction must not leave it open for everyone else. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.runExclusive(() => this.db.exec('ROLLBACK'));
    this.owner = null;
    await this.drain();
  }
}
