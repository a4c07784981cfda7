// The `tradetwin` command line. Each command lives in its own module, loaded
// only when it runs (keygen should not pay for viem, the chain and the store);
// this file only dispatches and maps errors to exit codes.
import { CliError, type Command, EXIT, helpText, type JsonError, parse } from './args.js';

interface Entry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Entry[] = [
  {
    name: 'start',
    summary: 'Run a node: HTTP API, MQTT, ingest, log, anchoring',
    load: async () => (await import('./start.js')).startCommand,
  },
  { name: 'device keygen', summary: 'Make a device key pair into a key file', load: () => device('device keygen') },
  { name: 'device register', summary: "Register a device's public key on chain", load: () => device('device register') },
  { name: 'device revoke', summary: 'Revoke a device on chain, now or back-dated', load: () => device('device revoke') },
  { name: 'device list', summary: 'List devices with status, last sequence and gaps', load: () => device('device list') },
  {
    name: 'device mqtt-token',
    summary: "Print a device's MQTT password (a token signed by its key)",
    load: () => device('device mqtt-token'),
  },
  {
    name: 'shipment list',
    summary: 'List shipments with status, excursions, policies, payouts',
    load: () => shipment('shipment list'),
  },
  {
    name: 'shipment show',
    summary: 'A shipment: latest readings, excursions, policies, payouts',
    load: () => shipment('shipment show'),
  },
  { name: 'shipment create', summary: 'Create a shipment twin from a JSON definition', load: () => shipment('shipment create') },
  { name: 'excursions', summary: "A shipment's excursions: minutes, peak, breached", load: () => shipment('excursions') },
  { name: 'payouts', summary: 'Parametric cover payouts with their transactions', load: () => shipment('payouts') },
  {
    name: 'simulate',
    summary: 'Send simulated signed readings to a node (HTTP or MQTT)',
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
  {
    name: 'demo',
    summary: 'Scenario S1 end to end: breach, attestations, payout',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'trace',
    summary: 'Recall trace of an item or lot, backward or forward',
    load: async () => (await import('./trace.js')).traceCommand,
  },
  {
    name: 'verify',
    summary: "Verify a reading's proof bundle or an EPCIS event's proof against the chain",
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'claim dossier',
    summary: 'A signed claim dossier of a payout or excursion (PDF, CSV, proof bundles)',
    load: () => claim('claim dossier'),
  },
  {
    name: 'claim verify-dossier',
    summary: 'Check a claim dossier offline: manifest hashes, signature, bundles',
    load: () => claim('claim verify-dossier'),
  },
  {
    name: 'audit',
    summary: 'Recompute the log and check signed and anchored heads',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  {
    name: 'epcis hash',
    summary: 'Print the CBV 2.0 hash ID of each event of an EPCIS document',
    load: async () => (await import('./epcis.js')).epcisHashCommand,
  },
  {
    name: 'epcis validate',
    summary: 'Validate an EPCIS 2.0 document against the GS1 schema',
    load: async () => (await import('./epcis.js')).epcisValidateCommand,
  },
  {
    name: 'tag issue',
    summary: 'Issue a brand-signed GS1 Digital Link tag (URI + QR) for an item',
    load: () => tag('tag issue'),
  },
  { name: 'tag verify', summary: 'Verify a scanned tag: genuine, unknown or suspected clone', load: () => tag('tag verify') },
  ...['consortium up', 'consortium demo', 'consortium besu-config', 'consortium deploy'].map((name) => ({
    name,
    summary: '',
    load: () => consortium(name),
  })),
  ...['alert subscribe', 'alert list', 'alert unsubscribe'].map((name) => ({ name, summary: '', load: () => alert(name) })),
  ...['command send', 'command list'].map((name) => ({ name, summary: '', load: () => command(name) })),
  ...['grant add', 'grant revoke', 'grant list', 'grant pull'].map((name) => ({ name, summary: '', load: () => grant(name) })),
  ...['command send', 'command list', 'command resend'].map((name) => ({ name, summary: '', load: () => command(name) })),
  ...['geofence add', 'geofence list', 'geofence remove'].map((name) => ({ name, summary: '', load: () => geofence(name) })),
  ...['document add', 'document list', 'document get'].map((name) => ({ name, summary: '', load: () => document(name) })),
  ...['governance proposals', 'governance propose', 'governance vote', 'governance execute', 'governance cancel'].map((name) => ({
    name,
    summary: '',
    load: () => governance(name),
  })),
  ...['user add', 'user list', 'user disable', 'user passwd', 'credential create', 'credential list', 'credential revoke'].map(
    (name) => ({ name, summary: '', load: () => access(name) }),
  ),
];

async function consortium(name: string): Promise<Command> {
  const { consortiumCommands } = await import('./consortium.js');
  return consortiumCommands.find((c) => c.name === name)!;
}

async function access(name: string): Promise<Command> {
  const { accessCommands } = await import('./access.js');
  return accessCommands.find((c) => c.name === name)!;
}

async function claim(name: string): Promise<Command> {
  const { claimCommands } = await import('./claim.js');
  return claimCommands.find((c) => c.name === name)!;
}

async function alert(name: string): Promise<Command> {
  const { alertCommands } = await import('./alert.js');
  return alertCommands.find((c) => c.name === name)!;
}

async function grant(name: string): Promise<Command> {
  const { grantCommands } = await import('./grant.js');
  return grantCommands.find((c) => c.name === name)!;
}

async function command(name: string): Promise<Command> {
  const { commandCommands } = await import('./command.js');
  return commandCommands.find((c) => c.name === name)!;
}

async function governance(name: string): Promise<Command> {
  const { governanceCommands } = await import('./governance.js');
  return governanceCommands.find((c) => c.name === name)!;
}

async function geofence(name: string): Promise<Command> {
  const { geofenceCommands } = await import('./geofence.js');
  return geofenceCommands.find((c) => c.name === name)!;
}

async function document(name: string): Promise<Command> {
  const { documentCommands } = await import('./document.js');
  return documentCommands.find((c) => c.name === name)!;
}

async function device(name: string): Promise<Command> {
  const { deviceCommands } = await import('./device.js');
  return deviceCommands.find((c) => c.name === name)!;
}

async function shipment(name: string): Promise<Command> {
  const { shipmentCommands } = await import('./shipment.js');
  return shipmentCommands.find((c) => c.name === name)!;
}

async function tag(name: string): Promise<Command> {
  const { tagCommands } = await import('./tag.js');
  return tagCommands.find((c) => c.name === name)!;
}

const ACCESS_SUMMARIES: Record<string, string> = {
  'user add': 'Add a user account (viewer, operator, admin)',
  'user list': "List the organisation's user accounts",
  'user disable': 'Disable a user account (its sessions end)',
  'user passwd': "Set a user's password",
  'credential create': 'Create a scoped API credential (token shown once)',
  'credential list': 'List API credentials',
  'credential revoke': 'Revoke an API credential',
  'alert subscribe': 'Subscribe to alerts by signed webhook or e-mail',
  'alert list': 'List your alert subscriptions (--history: the alerts raised)',
  'alert unsubscribe': 'Delete an alert subscription',
  'consortium up': 'Start one node process per member organisation over one chain (Ctrl-C stops them)',
  'consortium demo': 'Scenario S1 across the member nodes: ingest, oracles in their own processes, payout',
  'consortium besu-config': 'Write a Besu QBFT network for the consortium: genesis, keys, configs, compose',
  'consortium deploy': "Deploy the contracts for a besu-config network and write their addresses into each node's config",
  'command send': "Sign (and co-sign) an actuator command and send it; waits for the device's signed effect report",
  'command list': 'List the command log with each authorisation and effect',
  'grant add': 'Grant another member organisation a shipment or an EPCIS business transaction (signed, logged)',
  'grant revoke': 'Revoke a grant (signed, logged)',
  'grant list': 'What this organisation shared with whom, and what was shared with it',
  'grant pull': 'Replicate what others granted into the verified mirror',
  'governance proposals': 'List consortium proposals and their votes (admission by vote)',
  'governance propose': 'Propose admitting, suspending or removing a member, roles, the oracle threshold or settings',
  'governance vote': "Cast the node organisation's vote on a proposal",
  'governance execute': 'Execute a passed proposal after its execution delay',
  'governance cancel': "Withdraw one of the node organisation's proposals",
  'command resend': 'Deliver a logged command again (a failed delivery); the device refuses a repeat it already acted on',
  'geofence add': "Add a zone (circle, polygon, GeoJSON; UN/LOCODE) to the node-wide or a shipment's geofence set",
  'geofence list': "List the node-wide or a shipment's geofence set",
  'geofence remove': "Remove a zone from the node-wide or a shipment's geofence set",
  'document add':
    'Add a document (invoice, certificate of origin, phytosanitary, bill of lading, …) to a shipment: logged, shared by grant',
  'document list': "List a shipment's documents",
  'document get': "Save a shipment document's content to a file (checked against its logged SHA-256)",
};

function usage(): string {
  return [
    'tradetwin — a TradeTwin member node and its tools',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary || ACCESS_SUMMARIES[c.name] || ''}`),
    '',
    'Every command has --help.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // --json asks for machine-readable output, errors included (before a `--`, where flags end).
  const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).includes('--json');
  // Two-word commands ("device keygen") first, then one-word ones.
  const entry = COMMANDS.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === argv[0]);
  if (!entry) {
    const asked = argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    if (!asked && json)
      return reportError(new CliError(`unknown command "${argv.join(' ')}"`, EXIT.usage, 'unknown_command'), json);
    (asked ? process.stdout : process.stderr).write(`${asked ? '' : `unknown command "${argv.join(' ')}"\n\n`}${usage()}\n`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  const rest = argv.slice(entry.name.split(' ').length);
  try {
    const cmd = await entry.load();
    const args = parse(cmd, rest);
    if (args.values.help) {
      process.stdout.write(`${helpText(cmd)}\n`);
      return EXIT.ok;
    }
    return (await cmd.run(args)) ?? EXIT.ok;
  } catch (err) {
    return reportError(asCliError(err), json, entry.name);
  }
}

/** Print an error: one JSON object on stdout with --json (where the result would have been), else a line on stderr. */
function reportError(err: CliError, json: boolean, command?: string): number {
  if (json) {
    const body: JsonError = { error: { code: err.code, message: err.message } };
    process.stdout.write(`${JSON.stringify(body)}\n`);
  } else process.stderr.write(`tradetwin${command ? ` ${command}` : ''}: ${err.message}\n`);
  return err.exitCode;
}

/**
 * Errors of the node's own modules, as exit codes. Told apart by name, not class, so this file
 * does not load viem or the store for a command that never touches them.
 */
export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (!(err instanceof Error)) return new CliError(String(err), EXIT.refused, 'internal');
  const code = (err as { code?: unknown }).code;
  switch (err.name) {
    case 'ConfigError':
      return new CliError(err.message, EXIT.usage, 'bad_config');
    case 'ChainError': {
      // A contract's refusal reads as a sentence (chain/contract-errors.ts), not as UnknownDevice(0x…).
      const explained = (err as { explanation?: string }).explanation;
      if (code === 'reverted') return new CliError(explained ?? err.message, EXIT.refused, 'contract_refused');
      if (code === 'rejected') return new CliError(err.message, EXIT.refused, 'chain_refused');
      return new CliError(err.message, EXIT.unreachable, 'chain_unavailable');
    }
    case 'StoreError':
      return code === 'unavailable' || code === 'closed'
        ? new CliError(err.message, EXIT.unreachable, 'store_unavailable')
        : new CliError(err.message, EXIT.refused, `store_${String(code)}`);
    case 'ChainLockedError':
    case 'DataDirLockedError':
      return new CliError(err.message, EXIT.refused, 'data_dir_in_use');
    default:
      return new CliError(err.message, EXIT.refused, 'internal');
  }
}
