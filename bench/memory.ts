// Memory over the run: process RSS (all threads) sampled every 250 ms with the
// main thread's V8 heap, so that the peak can be attributed to a stage.
import { readFileSync } from 'node:fs';

export interface MemorySample {
  atSec: number;
  stage: string;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  threads: number;
}

function threads(): number {
  try {
    return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export class MemoryMonitor {
  stage = 'start';
  readonly peakByStage = new Map<string, MemorySample>();
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = performance.now();

  start(everyMs = 250): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  set(stage: string): void {
    this.sample();
    this.stage = stage;
    this.sample();
  }

  sample(): void {
    const m = process.memoryUsage();
    const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    const s: MemorySample = {
      atSec: Math.round((performance.now() - this.t0) / 100) / 10,
      stage: this.stage,
      rssMb: mb(m.rss),
      heapUsedMb: mb(m.heapUsed),
      externalMb: mb(m.external),
      arrayBuffersMb: mb(m.arrayBuffers),
      threads: threads(),
    };
    const cur = this.peakByStage.get(this.stage);
    if (!cur || s.rssMb > cur.rssMb) this.peakByStage.set(this.stage, s);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  /** Peak sampled RSS per stage. */
  report(): Record<string, MemorySample> {
    return Object.fromEntries(this.peakByStage);
  }
}
