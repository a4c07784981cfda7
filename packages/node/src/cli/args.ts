// Shared CLI plumbing: parse flags (node:util parseArgs), print --help, and one
// typed error that main() turns into a message and an exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * What an exit code means, the same for every command (README "Exit codes"): a script can tell
 * "fix the command" from "the node said no", "the evidence does not hold" and "try again later".
 */
export const EXIT = {
  ok: 0,
  /** The node, the chain or a broker refused (or has no such thing), or an unexpected error. */
  refused: 1,
  /** Usage: unknown command, bad flag or value, a missing, unreadable or malformed input file. */
  usage: 2,
  /** The check the command exists for came out negative or could not be made: not verified, audit failed, not genuine, invalid. */
  notVerified: 3,
  /** The node, its chain or its broker could not be reached, or is unavailable for now: retry later. */
  unreachable: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The `error.code` a --json error carries when nothing more specific is known. */
const GENERIC_CODE: Record<number, string> = {
  [EXIT.refused]: 'refused',
  [EXIT.usage]: 'usage',
  [EXIT.notVerified]: 'not_verified',
  [EXIT.unreachable]: 'unreachable',
};

export class CliError extends Error {
  /** A stable machine-readable reason (the node's problem type where it answered with one). */
  readonly code: string;

  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    code?: string,
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code ?? GENERIC_CODE[exitCode] ?? 'error';
  }
}

/** The shape of every error a command prints with --json (on stdout, where its result would be). */
export interface JsonError {
  error: { code: string; message: string };
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }): Promise<number | undefined>;
}

export const COMMON = {
  help: { type: 'boolean', short: 'h' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Where the node's data lives: PostgreSQL when given (or TRADETWIN_DATABASE_URL), else node.db in the data dir. */
export const STORE_OPTIONS = {
  'database-url': { type: 'string' },
} as const;

/** The store --database-url selects, as a loadConfig override (none: the environment or SQLite decides). */
export function storeOverride(values: Record<string, unknown>): { store?: { kind: 'postgres'; url: string } } {
  const url = str(values, 'database-url');
  if (url === undefined) return {};
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CliError(`--database-url must be a postgres:// URL, got "${url}"`);
  return { store: { kind: 'postgres', url } };
}

export function parse(cmd: Command, argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${helpText(cmd)}`);
  }
}

export function helpText(cmd: Command): string {
  const flags = Object.entries(cmd.options)
    .map(([name, o]) => `  --${name}${o.type === 'string' ? ' <value>' : ''}${o.short ? `, -${o.short}` : ''}`)
    .join('\n');
  return `${cmd.summary}\n\nUsage: tradetwin ${cmd.usage}\n\nOptions:\n${flags}`;
}

export function str(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(values: Record<string, unknown>, name: string): string {
  const v = str(values, name);
  if (v === undefined || v === '') throw new CliError(`--${name} is required`);
  return v;
}

export function intOpt(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = str(values, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new CliError(`--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2)}\n`);
}
