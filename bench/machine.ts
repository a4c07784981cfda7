// Machine facts and per-process counters from /proc (Linux), for the report.
import { cpus, totalmem, availableParallelism, platform, release } from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export function machineInfo() {
  const c = cpus();
  return {
    cpus: availableParallelism(),
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    openssl: process.versions.openssl,
    sqlite: process.versions.sqlite ?? null,
    platform: `${platform()} ${release()}`,
    loadAverage: readLoadAverage(),
  };
}

export function readLoadAverage(): number[] | null {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

/** Child processes of this process with the given command name (e.g. the embedded anvil). */
export function childPids(comm: string): number[] {
  if (!existsSync('/proc')) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const c = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (c === comm && ppid === process.pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time of a process in ms (user + system), or null. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state(0) … utime(11) stime(12), in clock ticks (100 Hz on Linux).
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Peak resident set (VmHWM) of a process in MB, or null. */
export function processPeakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** This process's peak RSS in MB (all threads, workers included). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Busy CPU time of the whole machine in ms (all processes, from /proc/stat), or null. */
export function systemBusyMs(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return (busy * 1000) / 100;
  } catch {
    return null;
  }
}

/** CPU snapshot: whole process, main thread, the anvil child, the whole machine. */
export interface CpuSnapshot {
  at: number;
  processMs: number;
  mainMs: number;
  anvilMs: number | null;
  systemMs: number | null;
}

export function cpuSnapshot(anvilPid: number | null): CpuSnapshot {
  const p = process.cpuUsage();
  const m = process.threadCpuUsage();
  return {
    at: performance.now(),
    processMs: (p.user + p.system) / 1000,
    mainMs: (m.user + m.system) / 1000,
    anvilMs: anvilPid === null ? null : processCpuMs(anvilPid),
    systemMs: systemBusyMs(),
  };
}
