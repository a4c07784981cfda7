// Bench diagnostic (npm run bench -- --bg-checkpoint MS): WAL checkpoints on their own
// thread and connection instead of inside the node's commits. Run together
// with the node connection's PRAGMA wal_autocheckpoint=0 (set by the bench), so
// that the main thread's COMMIT only appends to the WAL (and fsyncs it), and
// copying WAL pages into the database file (and its fsync) happens here.
// It lives with the SQLite driver (the only code that opens node.db); node code never starts it.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

if (parentPort && (workerData as { role?: string } | null)?.role === 'bench-checkpoint') {
  const { path, everyMs } = workerData as { path: string; everyMs: number };
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL;');
  let checkpoints = 0;
  const timer = setInterval(() => {
    // PASSIVE: never blocks the writer; copies what it can, then the WAL restarts from the start once readers allow.
    db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get();
    checkpoints++;
  }, everyMs);
  parentPort.on('message', () => {
    clearInterval(timer);
    db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get();
    db.close();
    parentPort!.postMessage({ checkpoints });
  });
}
