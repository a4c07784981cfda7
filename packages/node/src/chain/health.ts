// Chain health as the node sees it: is the chain answering, what is its
// latest block, how long since it last answered, did it go backwards. Polls
// the latest block once a second; a block number lower than one seen before
// means the chain lost blocks (an embedded chain restarted from its state
// file, or a reorganisation) and the anchor outbox must reconcile.
import type { ChainHealthJson } from '@tradetwin/core/wire/status';
import type { NodePublicClient } from './clients.js';
import type { ChainProcessState } from './embedded.js';

/** The snapshot served as GET /api/v1/status → chainHealth (declared once in core/wire). */
export type ChainHealth = ChainHealthJson;

export interface ChainHealthOptions {
  mode: 'embedded' | 'external';
  pollMs?: number;
  process?: () => ChainProcessState;
  onRollback?: (from: number, to: number) => void;
  now?: () => number;
}

export class ChainHealthMonitor {
  private lastBlock: number | null = null;
  private lastBlockAt: number | null = null;
  private lastAnsweredAt: number | null = null;
  private lastError: string | null = null;
  private reachable = false;
  private rollbacks = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = true;
  private readonly now: () => number;

  constructor(
    private readonly client: NodePublicClient,
    private readonly opts: ChainHealthOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    void this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** One poll now (also what the loop runs). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.poll(), this.opts.pollMs ?? 1000);
        this.timer.unref?.();
      }
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const block = await this.client.getBlock({ blockTag: 'latest' });
      const n = Number(block.number);
      if (this.lastBlock !== null && n < this.lastBlock) {
        this.rollbacks++;
        this.opts.onRollback?.(this.lastBlock, n);
      }
      this.lastBlock = n;
      this.lastBlockAt = Number(block.timestamp) * 1000;
      this.lastAnsweredAt = this.now();
      this.reachable = true;
      this.lastError = null;
    } catch (err) {
      this.reachable = false;
      this.lastError = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    }
  }

  /** Seconds a sender should wait: until the owned chain's next restart (plus its start-up), else 5. */
  retryAfterSeconds(): number {
    const next = this.opts.process?.().nextRestartAt;
    if (next) return Math.max(1, Math.ceil((next - this.now()) / 1000) + 2);
    return 5;
  }

  snapshot(): ChainHealth {
    const now = this.now();
    const secs = (t: number | null) => (t === null ? null : Math.max(0, Math.round((now - t) / 100) / 10));
    return {
      mode: this.opts.mode,
      reachable: this.reachable,
      lastBlock: this.lastBlock,
      lastBlockAt: this.lastBlockAt,
      secondsSinceLastBlock: secs(this.lastBlockAt),
      lastAnsweredAt: this.lastAnsweredAt,
      secondsSinceAnswer: secs(this.lastAnsweredAt),
      lastError: this.lastError,
      rollbacks: this.rollbacks,
      retryAfterSeconds: this.retryAfterSeconds(),
      process: this.opts.process?.() ?? null,
    };
  }
}
