import { setMaxListeners } from 'node:events';
import { InterruptedError } from '../core/errors.js';
import { claimNext, currentRows, releaseClaim, type ClaimedRow } from '../db/tables/generation-state.js';
import type { GenerationRow } from '../db/tables/generations.js';
import type { ProfileWithKey } from '../sora/profile.js';
import { createProgress } from '../output/progress.js';
import { driveRow } from './drive.js';
import { FAILED, TERMINAL, elapsed, errored, reported, resultOf, type LineOutcome } from './results.js';
import { describeHolder } from './leases.js';
import { Runner, type RunnerContext, type RunRequest } from './runner.js';

/**
 * The engine behind `generate`, `generate --file`, `--resume` and `jobs wait`, safe with any
 * number of octo processes on any number of machines over the same rows:
 *
 * each worker claims the next unfinished row nobody holds (a lease in the database, one
 * statement), drives it through the phases (src/generate/drive.ts), releases it and claims the
 * next. Rows another live process holds are never touched: the run says so and waits for them
 * (`--no-wait`: reports them and stops), re-reading their state until they finish or their lease
 * expires (a dead process), when it takes them over.
 *
 * One outcome per row, in their order; progress goes to the terminal's stderr (silent with
 * --json or --quiet).
 */
export async function runGenerations(ctx: RunnerContext, rows: GenerationRow[], profiles: ProfileWithKey[], request: RunRequest): Promise<LineOutcome[]> {
  const progress = ctx.progress ?? ((o: { single: boolean }) => createProgress(ctx.io, ctx.globals, o));
  const [db, session, view] = await Promise.all([ctx.db(), ctx.session(), progress({ single: request.single })]);
  try {
    return await new Run(rows, (onLeaseLost) => new Runner(ctx, { db, session, view, profiles }, request, onLeaseLost)).start();
  } finally {
    view.stop();
  }
}

/** One run over a set of rows: which are settled, being driven here, announced as held elsewhere; the totals line. */
class Run {
  private readonly runner: Runner;
  private readonly index: Map<string, number>;
  private readonly outcomes: LineOutcome[];
  private readonly settled = new Set<string>();
  private readonly active = new Set<string>();
  private readonly announced = new Set<string>();
  private readonly counts = { done: 0, failed: 0, running: 0 };
  private readonly started: number;
  private refreshing: Promise<number> | undefined;

  constructor(
    private readonly rows: GenerationRow[],
    makeRunner: (onLeaseLost: (id: string) => void) => Runner,
  ) {
    this.runner = makeRunner((id) => this.runner.view.event(`${this.runner.label(this.rowOf(id))}: lease lost to another process`));
    this.index = new Map(rows.map((r, i) => [r.id, i]));
    this.outcomes = rows.map((r) => reported(resultOf(r)));
    this.started = this.runner.now();
    this.runner.quotaWaiting.onChange = () => this.drawTotals();
  }

  async start(): Promise<LineOutcome[]> {
    const { runner } = this;
    // Every worker's sleeps and requests listen on the one Ctrl-C signal.
    setMaxListeners(Math.max(50, runner.concurrency * 10), runner.signal);
    for (const r of this.rows) if (TERMINAL.has(r.status)) this.settle(r.id, reported(resultOf(r)));
    this.drawTotals();
    // The totals' clock keeps running between events (a terminal redraws it; piped output ignores it).
    const ticker = setInterval(() => this.drawTotals(), 1000);
    ticker.unref();
    try {
      // Say at once which lines another process is working on (and take in what others finished).
      if (this.open().length > 0) await this.refresh();
      const workers = Math.max(1, Math.min(runner.concurrency, this.rows.length));
      await Promise.all(Array.from({ length: workers }, () => this.worker()));
      if (!runner.signal.aborted && this.open().length > 0) {
        const held = await this.refresh();
        if (held > 0 && !runner.wait) runner.view.event(`${held} line(s) are being submitted by another octo process; follow them with: octo jobs wait --all`);
      }
    } finally {
      clearInterval(ticker);
      runner.leases.stop();
      await runner.pacer.close();
    }
    return this.outcomes;
  }

  /** Claims and drives rows until none is left to claim, the run is interrupted or --timeout passed. */
  private async worker(): Promise<void> {
    const { runner } = this;
    while (!runner.signal.aborted && !this.timedOut()) {
      const candidates = this.open();
      if (candidates.length === 0) return;
      let row: ClaimedRow | undefined;
      try {
        row = await claimNext(runner.db, runner.session, {
          ids: candidates,
          owner: runner.leases.owner,
          leaseMs: runner.leases.ms,
          unsubmittedOnly: !runner.wait,
        });
      } catch (error) {
        // The database is out of reach: every line not started stops here, as an error.
        for (const id of this.open()) this.settle(id, errored(this.rowOf(id), error));
        return;
      }
      if (!row) {
        const held = await this.refresh();
        if (this.open().length === 0 || (!runner.wait && held === this.open().length)) return;
        try {
          await runner.sleep(runner.recheckMs, runner.signal);
        } catch {
          return;
        }
        continue;
      }
      const outcome = await this.drive(row);
      // null: canceled, taken over, or a create that may still be in flight; looked at again shortly.
      if (outcome) this.settle(row.id, outcome);
      else {
        this.drawTotals();
        await runner.sleep(runner.recheckMs, runner.signal).catch(() => undefined);
      }
    }
  }

  /** One claimed row through the phases, its lease renewed meanwhile and its claim released after. */
  private async drive(row: ClaimedRow): Promise<LineOutcome | null> {
    const { runner } = this;
    this.active.add(row.id);
    runner.leases.add(row.id);
    this.counts.running++;
    this.drawTotals();
    try {
      const result = await driveRow(runner, row);
      return result && reported(result);
    } catch (error) {
      // One row (generate PROMPT, jobs wait ID): its caller ends with this error, so it is printed once.
      if (!(error instanceof InterruptedError) && !runner.signal.aborted && this.rows.length > 1) {
        runner.view.event(`${runner.label(row)}: error: ${(error as Error).message}`);
      }
      return errored(row, error);
    } finally {
      runner.leases.delete(row.id);
      await releaseClaim(runner.db, runner.session, runner.leases.owner, row.id).catch(() => undefined);
      this.active.delete(row.id);
      this.counts.running--;
      runner.view.remove(row.id);
    }
  }

  /** Re-reads the rows this process is not driving: settles what others finished, names what they hold. */
  private refresh(): Promise<number> {
    this.refreshing ??= this.reread().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async reread(): Promise<number> {
    const { runner } = this;
    let held = 0;
    for (const r of await currentRows(runner.db, runner.session, this.open())) {
      this.outcomes[this.index.get(r.id)!] = reported(resultOf(r));
      if (TERMINAL.has(r.status) || (!runner.wait && r.job_id)) {
        this.settle(r.id, reported(resultOf(r)));
      } else if (r.held) {
        held++;
        if (!this.announced.has(r.id)) {
          this.announced.add(r.id);
          const holder = describeHolder(r.claimed_by, r.held_ms ?? runner.leases.ms);
          const next = runner.wait ? (holder.gone ? 'this run takes it then' : 'waiting for it') : holder.gone ? 'run again then' : 'left to it';
          runner.view.event(`${runner.label(r)}: ${holder.text}; ${next}`);
        }
      }
    }
    return held;
  }

  private settle(id: string, outcome: LineOutcome): void {
    if (this.settled.has(id)) return;
    this.settled.add(id);
    this.outcomes[this.index.get(id)!] = outcome;
    this.runner.view.state?.(id, { status: outcome.result.status, percent: null, settled: true });
    if (outcome.result.status === 'completed') this.counts.done++;
    else if (FAILED.has(outcome.result.status)) this.counts.failed++;
    this.drawTotals();
  }

  private drawTotals(): void {
    const { done, failed, running } = this.counts;
    const waiting = this.rows.length - done - failed - running;
    // Lines held back by the create quota are not running yet: counted apart.
    const quota = Math.min(running, this.runner.quotaWaiting.size);
    const forQuota = quota > 0 ? ` · ${quota} waiting for quota` : '';
    this.runner.view.totals(
      `${done} done · ${failed} failed · ${running - quota} running${forQuota} · ${waiting} waiting · ${elapsed(this.started, this.runner.now())}`,
    );
  }

  /** Rows neither settled nor being driven here. */
  private open(): string[] {
    return this.rows.map((r) => r.id).filter((id) => !this.settled.has(id) && !this.active.has(id));
  }

  private timedOut(): boolean {
    return this.runner.timeoutMs !== undefined && this.runner.now() - this.started >= this.runner.timeoutMs;
  }

  private rowOf(id: string): GenerationRow {
    return this.rows[this.index.get(id)!]!;
  }
}
