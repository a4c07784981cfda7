// C2SP tlog-policy: known logs, known witnesses, groups and one quorum; and the
// check of a checkpoint note against a policy (log signature + witness quorum).
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { cosignatureTimestamp, cosignatureVerifier } from './cosignature.js';
import { TlogError } from './errors.js';
import {
  ed25519NoteVerifier,
  type NoteVerifier,
  openNote,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  type VerifierKey,
} from './note.js';

export interface PolicyLog {
  key: VerifierKey;
  vkey: string;
  url: string | null;
}
export interface PolicyWitness {
  name: string;
  key: VerifierKey;
  vkey: string;
  url: string | null;
}
export interface PolicyGroup {
  name: string;
  threshold: number;
  members: string[];
}
export interface Policy {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  /** A witness name, a group name, or 'none'. */
  quorum: string;
}

const bad = (line: number, msg: string) => new TlogError('policy', `policy line ${line}: ${msg}`);
const sameKey = (a: VerifierKey, b: VerifierKey) =>
  a.publicKey.length === b.publicKey.length && a.publicKey.every((x, i) => x === b.publicKey[i]);

export function parsePolicy(text: string): Policy {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec allows only tab and newline
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text))
    throw new TlogError('policy', 'policy contains a control character other than tab and newline');
  const policy: Policy = { logs: [], witnesses: [], groups: [], quorum: '' };
  const names = new Set<string>(['none']);
  let quorumSeen = false;
  const vkey = (n: number, s: string | undefined) => {
    if (!s) throw bad(n, 'missing verifier key');
    try {
      return parseVerifierKey(s);
    } catch (err) {
      throw bad(n, (err as Error).message);
    }
  };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/[ \t]+/);
    switch (f[0]) {
      case 'log': {
        if (f.length < 2 || f.length > 3) throw bad(n, 'expected "log <vkey> [<url>]"');
        const key = vkey(n, f[1]);
        if (key.type !== SIG_TYPE_ED25519) throw bad(n, 'a log key must be an Ed25519 note key (type 0x01)');
        if (policy.logs.some((l) => sameKey(l.key, key)) || policy.witnesses.some((w) => sameKey(w.key, key)))
          throw bad(n, 'duplicate key');
        policy.logs.push({ key, vkey: f[1]!, url: f[2] ?? null });
        return;
      }
      case 'witness': {
        if (f.length < 3 || f.length > 4) throw bad(n, 'expected "witness <name> <vkey> [<url>]"');
        const name = f[1]!;
        if (names.has(name)) throw bad(n, `name "${name}" is already defined`);
        const key = vkey(n, f[2]);
        if (key.type !== SIG_TYPE_COSIGNATURE_V1) throw bad(n, 'a witness key must be an Ed25519 cosignature key (type 0x04)');
        if (policy.witnesses.some((w) => sameKey(w.key, key))) throw bad(n, 'duplicate witness key');
        names.add(name);
        policy.witnesses.push({ name, key, vkey: f[2]!, url: f[3] ?? null });
        return;
      }
      case 'group': {
        if (f.length < 4) throw bad(n, 'expected "group <name> all|any|<k> <name>..."');
        const name = f[1]!;
        if (names.has(name)) throw bad(n, `name "${name}" is already defined`);
        const members = f.slice(3);
        for (const m of members) {
          if (m === 'none') throw bad(n, '"none" cannot be a group member');
          if (!names.has(m)) throw bad(n, `"${m}" is not defined on a preceding line`);
        }
        if (new Set(members).size !== members.length) throw bad(n, 'a member is listed twice');
        let threshold: number;
        if (f[2] === 'all') threshold = members.length;
        else if (f[2] === 'any') threshold = 1;
        else if (/^[1-9][0-9]*$/.test(f[2]!)) threshold = Number(f[2]);
        else throw bad(n, `threshold "${f[2]}" is not all, any or a number`);
        if (threshold < 1 || threshold > members.length)
          throw bad(n, `threshold ${threshold} is not between 1 and ${members.length}`);
        names.add(name);
        policy.groups.push({ name, threshold, members });
        return;
      }
      case 'quorum': {
        if (f.length !== 2) throw bad(n, 'expected "quorum <name>"');
        if (quorumSeen) throw bad(n, 'a policy has exactly one quorum line');
        if (!names.has(f[1]!)) throw bad(n, `"${f[1]}" is not defined on a preceding line`);
        quorumSeen = true;
        policy.quorum = f[1]!;
        return;
      }
      default:
        throw bad(n, `unknown keyword "${f[0]}"`);
    }
  });
  if (!quorumSeen) throw new TlogError('policy', 'policy has no quorum line');
  return policy;
}

/** Whether the witnesses named in `cosigned` satisfy the policy's quorum. */
export function quorumMet(policy: Policy, cosigned: ReadonlySet<string>): boolean {
  const memo = new Map<string, boolean>();
  const met = (name: string): boolean => {
    if (name === 'none') return true;
    const hit = memo.get(name);
    if (hit !== undefined) return hit;
    const g = policy.groups.find((x) => x.name === name);
    const r = g ? g.members.filter(met).length >= g.threshold : cosigned.has(name);
    memo.set(name, r);
    return r;
  };
  return met(policy.quorum);
}

/** A simple "k of these witnesses" policy (what `verify --witnesses k` means). */
export function thresholdPolicy(logVkeys: readonly string[], witnessVkeys: readonly string[], k: number): Policy {
  const lines = [...logVkeys.map((v) => `log ${v}`), ...witnessVkeys.map((v, i) => `witness w${i} ${v}`)];
  if (k === 0) lines.push('quorum none');
  else lines.push(`group quorum ${k} ${witnessVkeys.map((_, i) => `w${i}`).join(' ')}`, 'quorum quorum');
  return parsePolicy(lines.join('\n'));
}

export interface CheckedCheckpoint {
  checkpoint: Checkpoint;
  /** Checkpoint note text (what was signed). */
  text: string;
  /** Policy names of the witnesses whose cosignatures verified, with their timestamps. */
  cosigners: { name: string; timestamp: number }[];
  quorum: boolean;
}

/**
 * Checks a checkpoint note against a policy: signed by a listed log whose key name is the origin,
 * every known signature valid (one bad cosignature rejects the note, as signed-note advises), and
 * reports whether the witness quorum is met (the caller decides what a missing quorum means).
 */
export function checkCheckpoint(note: string, policy: Policy): CheckedCheckpoint {
  const logVerifiers: NoteVerifier[] = policy.logs.map((l) => ed25519NoteVerifier(l.key.name, l.key.publicKey));
  const witnessVerifiers = policy.witnesses.map((w) => ({ w, v: cosignatureVerifier(w.key.name, w.key.publicKey) }));
  const opened = openNote(note, [...logVerifiers, ...witnessVerifiers.map((x) => x.v)]);
  const checkpoint = parseCheckpoint(opened.text);
  const byLog = opened.verified.filter((s) => logVerifiers.some((v) => v.name === s.name && v.keyId === s.keyId));
  if (!byLog.some((s) => s.name === checkpoint.origin)) {
    throw new TlogError(
      'unknown_key',
      `checkpoint of ${checkpoint.origin} is not signed by a log the policy lists for that origin`,
    );
  }
  const cosigners: CheckedCheckpoint['cosigners'] = [];
  for (const s of opened.verified) {
    const hit = witnessVerifiers.find((x) => x.v.name === s.name && x.v.keyId === s.keyId);
    if (hit && !cosigners.some((c) => c.name === hit.w.name))
      cosigners.push({ name: hit.w.name, timestamp: cosignatureTimestamp(s.signature)! });
  }
  return { checkpoint, text: opened.text, cosigners, quorum: quorumMet(policy, new Set(cosigners.map((c) => c.name))) };
}
