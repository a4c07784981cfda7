// Shared CLI plumbing: parse flags (node:util parseArgs), print --help, and one
// typed error that main() turns into a message and an exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
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
