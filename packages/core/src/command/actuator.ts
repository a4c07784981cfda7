// The device side of a command, pure: given the verified command, the
// accounts it trusts (from the MemberRegistry, with their organisations), its
// safe ranges, its rate limit, its replay window and its clock, decide whether
// to act. The caller persists the new replay state *before* acting, so a crash
// between the two never lets the same command act twice.
import { type CommandAction, CommandError, type VerifiedCommand, verifyCommand } from './command.js';
import { acceptSeq, type ReplayState, replayProblem } from './replay-window.js';

export interface SafeRanges {
  /** Setpoints the device will apply, °C inclusive. */
  setpointC: { min: number; max: number };
}

export const REEFER_SAFE_RANGES: SafeRanges = { setpointC: { min: -30, max: 25 } };

export interface ActuatorConfig {
  deviceId: string;
  /** Member accounts (lower-case addresses) → their organisation id. */
  members: ReadonlyMap<string, number>;
  ranges: SafeRanges;
  /** At most this many commands applied per rolling minute. */
  maxPerMinute: number;
}

export interface ActuatorState {
  replay: ReplayState;
  /** When recent commands were applied, ms (for the rate limit). */
  appliedAt: number[];
}

export type ActuatorDecision =
  | { ok: true; command: VerifiedCommand; replay: ReplayState; appliedAt: number[] }
  | { ok: false; error: CommandError; command?: VerifiedCommand; replay?: ReplayState };

/** Decide on a command bundle forwarded by the node. Never throws for bad input. */
export function decideCommand(bundle: Uint8Array, cfg: ActuatorConfig, state: ActuatorState, now: number): ActuatorDecision {
  let command: VerifiedCommand;
  try {
    command = verifyCommand(bundle);
  } catch (err) {
    if (err instanceof CommandError) return { ok: false, error: err };
    throw err;
  }
  const p = command.payload;
  const refuse = (code: CommandError['code'], detail: string, replay?: ReplayState): ActuatorDecision => ({
    ok: false,
    error: new CommandError(code, detail),
    command,
    ...(replay ? { replay } : {}),
  });
  if (p.device !== cfg.deviceId) return refuse('wrong_device', `command is for ${p.device}, this is ${cfg.deviceId}`);
  for (const s of command.signatures) {
    if (!cfg.members.has(s.account)) return refuse('unauthorised', `${s.account} is no member account this device trusts`);
  }
  const orgs = new Set(command.signatures.map((s) => cfg.members.get(s.account)));
  if (orgs.size !== command.signatures.length) return refuse('unauthorised', 'both signatures are from one organisation');
  if (p.expiresAt <= now) return refuse('expired', `command expired at ${new Date(p.expiresAt).toISOString()}`);
  const replay = replayProblem(state.replay, p.seq);
  if (replay) return refuse('replayed', replay);
  // From here the seq is spent, whatever the outcome: a refused command cannot be retried under it.
  const spent = acceptSeq(state.replay, p.seq);
  const range = rangeProblem(p.action, cfg.ranges);
  if (range) return refuse('out_of_range', range, spent);
  const recent = state.appliedAt.filter((t) => t > now - 60_000);
  if (recent.length >= cfg.maxPerMinute)
    return refuse('rate_limited', `${recent.length} commands in the last minute; at most ${cfg.maxPerMinute}`, spent);
  return { ok: true, command, replay: spent, appliedAt: [...recent, now] };
}

function rangeProblem(a: CommandAction, r: SafeRanges): string | null {
  if (a.kind === 'setpoint' && (a.celsius < r.setpointC.min || a.celsius > r.setpointC.max))
    return `setpoint ${a.celsius} °C is outside the safe range ${r.setpointC.min}…${r.setpointC.max} °C`;
  return null;
}
