// Optional CPU profile of the node's main thread during the timed part of a
// phase (--cpu-profile DIR): the V8 profiler through node:inspector, written
// as a .cpuprofile that Chrome DevTools or speedscope open. Sampling counts
// wall time on the thread: a synchronous SQLite commit waiting on fsync shows
// up inside the JS function that called it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export class MainThreadProfiler {
  private session: Session | null = null;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  }

  async stop(name: string): Promise<string | null> {
    if (!this.session) return null;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    this.session = null;
    const file = join(this.dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
