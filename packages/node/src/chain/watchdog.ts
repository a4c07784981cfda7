// The embedded chain's watchdog: a tiny process between the node and anvil.
// anvil cannot notice that the node that started it died (there is no
// parent-death signal a Node.js parent can ask for), so this process does it
// for anvil:
//   node ──stdin pipe──▶ watchdog (process-group leader) ──spawns──▶ anvil
// When the node dies, however it dies (kill -9 included), the kernel closes
// the pipe and the watchdog sees end-of-file; a poll of its parent pid is the
// second, independent check. It then stops anvil with SIGTERM (anvil writes its
// state file on the way out) and SIGKILL after a grace period. SIGTERM/SIGINT
// to the watchdog are forwarded the same way; when anvil exits on its own, the
// watchdog exits with anvil's status so the node can restart its chain.
//
// Run by the node as `node watchdog.ts <anvil> <args…>` (Node strips the types;
// only erasable syntax and node: imports here, no loader needed).
import { spawn } from 'node:child_process';

const GRACE_MS = 10_000;
const POLL_MS = 200;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: watchdog <command> [args…]\n');
  process.exit(2);
}

const parentPid = process.ppid;
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
// First line on stdout: the chain's pid, for the node's lock file.
process.stdout.write(`watchdog: anvil pid ${child.pid ?? 0}\n`);

let stopping = false;
function stopChild(why: string): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`watchdog: ${why}: stopping anvil\n`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
}

child.once('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1));
});
child.once('error', (err) => {
  process.stderr.write(`watchdog: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});

process.stdin.on('data', () => undefined);
process.stdin.once('end', () => stopChild('the node closed its pipe (it exited or was killed)'));
process.stdin.once('error', () => stopChild('the node pipe failed'));
process.once('SIGTERM', () => stopChild('SIGTERM'));
process.once('SIGINT', () => stopChild('SIGINT'));
process.once('SIGHUP', () => stopChild('SIGHUP'));
setInterval(() => {
  // Reparented (to init or a subreaper) means the node is gone.
  if (process.ppid !== parentPid) stopChild(`parent ${parentPid} is gone`);
}, POLL_MS);
