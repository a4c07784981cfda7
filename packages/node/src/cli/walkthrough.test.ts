// The README's "Devices, step by step" runs as written: its shell block is the
// script. A clone-like directory (the repository's tracked top-level entries and
// node_modules, linked) stands for a fresh clone, so key files and the data dir
// land there, not in the working tree; `npm start` runs the node as the README
// says (on free ports), and each line of the block runs with bash, via npm,
// from that directory. Every line needs an expectation here: a new line in the
// README without one fails the test, so the two cannot drift apart.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chainProcesses, eventually } from '../test-support/node-process.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The shell lines of a README section's ```sh blocks (comments stay: bash ignores them). */
function sectionCommands(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + heading.length + 2);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const lines: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) if (line.trim() && !line.trim().startsWith('#')) lines.push(line);
  }
  return lines;
}

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What each README line must do; matched on the command (the part before its comment). */
const EXPECT: { command: RegExp; check(r: Step, dir: string): void }[] = [
  {
    command: /device keygen --id reefer-7 --type p256/,
    check: (r, dir) => {
      assert.match(r.stdout, /wrote reefer-7\.key\.json \(ES256\); public key 0x04[0-9a-f]{128}/);
      const file = join(dir, 'reefer-7.key.json');
      assert.ok(existsSync(file), 'the key file lands in the current directory');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      // …where git ignores it: a device key is never committed by accident.
      const ignored = spawnSync('git', ['check-ignore', '-q', 'reefer-7.key.json'], { cwd: REPO });
      assert.equal(ignored.status, 0, 'reefer-7.key.json is git-ignored at the repository root');
    },
  },
  {
    command: /device register --key reefer-7\.key\.json/,
    check: (r) => assert.match(r.stdout, /^registered reefer-7 in tx 0x[0-9a-f]{64}$/m),
  },
  {
    command: /simulate --key reefer-7\.key\.json --messages 20 --per-message 60/,
    check: (r) => assert.match(r.stdout, /sent 20 envelopes \(1200 readings\): 20 accepted, 0 rejected/),
  },
  {
    // No --start-seq: the second run continues the device's sequence by itself (21…30).
    command: /simulate --key reefer-7\.key\.json --via mqtt\s*(#|$)/,
    check: (r) => assert.match(r.stdout, /sent 10 envelopes \(10 readings\): 10 accepted, 0 rejected/),
  },
  {
    command: /device mqtt-token --key reefer-7\.key\.json/,
    check: (r) => assert.match(r.stdout, /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/m),
  },
  {
    command: /device list\s*(#|$)/,
    check: (r) => assert.match(r.stdout, /^reefer-7\tES256\tactive\tseq 30\tgaps 0\tlast seen /m),
  },
  {
    command: /verify 0:0/,
    check: (r) => {
      assert.match(r.stdout, /✔ anchor: /);
      assert.match(r.stdout, /^VERIFIED reading 0:0$/m);
    },
  },
  {
    command: /device revoke --id reefer-7 --at now-\d+[smhd]/,
    check: (r) => assert.match(r.stdout, /^revoked reefer-7 in tx 0x[0-9a-f]{64}$/m),
  },
  {
    command: /audit\s*(#|$)/,
    check: (r) => assert.match(r.stdout, /^AUDIT OK/m),
  },
];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

describe('README: Devices, step by step', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-walkthrough-'));
  const dataDir = join(dir, '.tradetwin');
  // The commands run as a user's would: without the test run's TRADETWIN_* settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRADETWIN_')));
  let node: ChildProcess;
  let nodeLog = '';
  let exited: Promise<unknown>;

  const run = (line: string) =>
    new Promise<Step>((resolve, reject) => {
      const child = spawn('bash', ['-c', line], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    // A clean clone, as far as the commands can tell: the tracked top-level entries and the installed node_modules.
    const tracked = spawnSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const top of new Set([...tracked.map((f) => f.split('/')[0]!), 'node_modules'])) {
      symlinkSync(join(REPO, top), join(dir, top));
    }
    // "With a node running (`npm start` in another terminal)": on free ports, as a second machine user would configure.
    assert.match(README, /With a node running \(`npm start` in another terminal\)/);
    node = spawn('npm', ['start'], {
      cwd: dir,
      env: { ...env, TRADETWIN_HTTP_PORT: '0', TRADETWIN_MQTT_PORT: '0' },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    node.stderr!.on('data', (d: Buffer) => {
      nodeLog = (nodeLog + d.toString()).slice(-50_000);
    });
    exited = new Promise((resolve) => node.once('exit', resolve));
    // The node is up, and its demo played (leaf 0, which the walkthrough verifies, is the demo's first upload).
    await eventually(
      'the node to start and play its demo',
      () => {
        if (node.exitCode !== null) throw new Error(`npm start exited: ${nodeLog}`);
        if (/demo failed/.test(nodeLog)) throw new Error(nodeLog);
        return /demo shipment live/.test(nodeLog) ? true : undefined;
      },
      180_000,
    );
  });

  after(async () => {
    if (node?.pid !== undefined && node.exitCode === null) {
      process.kill(-node.pid, 'SIGTERM'); // npm, its shell and the node: a clean stop
      await exited;
    }
    await eventually('the chain to stop with its node', () => (chainProcesses(dataDir).length === 0 ? true : undefined));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every line of the block as written, each doing what its comment says', async () => {
    const lines = sectionCommands(README, '## Devices, step by step');
    assert.ok(lines.length >= 9, `the section's commands: ${lines.join('\n')}`);
    let registeredAt = 0;
    for (const line of lines) {
      const command = line.split(/\s#/)[0]!;
      const expectation = EXPECT.find((e) => e.command.test(line));
      assert.ok(expectation, `no expectation in walkthrough.test.ts for README line: ${line}`);
      assert.match(command, /^npm run tradetwin -- /, 'every step runs through npm, from the repository root');
      // A person takes longer between steps than this test: a back-dated revocation ("now-10s") must not
      // fall before the registration, so wait until the registration is at least that old.
      const back = /--at now-(\d+)([smhd])/.exec(command);
      if (back) {
        const due = registeredAt + Number(back[1]) * UNIT_MS[back[2]!]! + 1000;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
      const r = await run(line);
      assert.equal(r.code, 0, `${line}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`);
      expectation.check(r, dir);
      if (/device register/.test(command)) registeredAt = Date.now();
    }
  });

  it('the revocation holds: a reading reefer-7 signs now is refused (exit 1, revoked_device)', async () => {
    const r = await run('npm run tradetwin -- simulate --key reefer-7.key.json --messages 1 --interval-ms 1000');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /0 accepted, 1 rejected/);
    assert.match(r.stdout, /rejections: revoked_device/);
  });

  it('a second node on the same data dir is refused, and the first one keeps running and findable', async () => {
    const r = await run('npm run tradetwin -- start');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`the data dir ${dataDir} is held by process \\d+`));
    const list = await run('npm run tradetwin -- device list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^reefer-7\tES256\trevoked since /m);
  });

  it('leaves nothing git would pick up: every file it made (key file, data dir) is git-ignored', () => {
    const made = readdirSync(dir).filter((name) => !lstatSync(join(dir, name)).isSymbolicLink());
    assert.ok(made.includes('reefer-7.key.json') && made.includes('.tradetwin'), made.join(', '));
    for (const name of made) {
      const ignored = spawnSync('git', ['check-ignore', '-q', statSync(join(dir, name)).isDirectory() ? `${name}/` : name], {
        cwd: REPO,
      });
      assert.equal(ignored.status, 0, `${name} is git-ignored`);
    }
  });

  it("the README's example files exist at the paths it gives, relative to the repository root", () => {
    for (const m of README.matchAll(/@((?:docs|packages)\/[\w./-]+)/g)) {
      assert.ok(existsSync(join(dir, m[1]!)), `${m[1]} (README) exists`);
    }
    assert.doesNotMatch(README, /@\.\.\//, 'no example reaches outside the repository');
  });
});
