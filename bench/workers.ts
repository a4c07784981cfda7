// Starting the bench's own worker threads and child processes (TypeScript under tsx).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export function startWorker(file: string, workerData: unknown): Worker {
  const url = new URL(file, import.meta.url);
  const ts = import.meta.url.endsWith('.ts');
  return new Worker(url, { workerData, execArgv: ts ? ['--import', import.meta.resolve('tsx')] : [] });
}

/** Run a child process that takes one job over IPC, sends one result and exits. */
export function runChild<T>(file: string, flag: string, job: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const ts = import.meta.url.endsWith('.ts');
    const child = fork(fileURLToPath(new URL(file, import.meta.url)), [flag], {
      execArgv: ts ? ['--import', import.meta.resolve('tsx')] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: T | undefined;
    child.once('message', (m) => (result = m as T));
    child.once('error', reject);
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`${file} exited with ${code}`))));
    child.send(job as object);
  });
}
