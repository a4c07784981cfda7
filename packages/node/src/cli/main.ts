// The `tradetwin` command line. Each command lives in its own module; this
// file only dispatches and maps errors to exit codes.
import { auditCommand } from './audit.js';
import { CliError, type Command, helpText, parse } from './args.js';
import { deviceCommands } from './device.js';
import { simulateCommand } from './simulate.js';
import { startCommand } from './start.js';
import { verifyCommand } from './verify.js';

const COMMANDS: Command[] = [startCommand, ...deviceCommands, verifyCommand, auditCommand, simulateCommand];

function usage(): string {
  return [
    'tradetwin — a TradeTwin member node and its tools',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    '',
    'Every command has --help.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // Two-word commands ("device keygen") first, then one-word ones.
  const cmd = COMMANDS.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === argv[0]);
  if (!cmd) {
    const asked = argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    (asked ? process.stdout : process.stderr).write(`${usage()}\n`);
    return asked ? 0 : 2;
  }
  const rest = argv.slice(cmd.name.split(' ').length);
  try {
    const args = parse(cmd, rest);
    if (args.values.help) {
      process.stdout.write(`${helpText(cmd)}\n`);
      return 0;
    }
    return (await cmd.run(args)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`tradetwin ${cmd.name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`tradetwin ${cmd.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

