// `tradetwin consortium up|demo|besu-config`: one node per member organisation.
// The work lives in consortium/; this file parses flags and prints.
import { existsSync, readdirSync } from 'node:fs';
import { COMMON, CliError, type Command, EXIT, intOpt, printJson, requireStr, str } from './args.js';

/** --orgs as a number, refused (usage) outside what a consortium can be. */
async function orgsOpt(values: Record<string, unknown>, fallback: number, min?: number): Promise<number> {
  const { MIN_ORGS, MAX_ORGS } = await import('../consortium/orgs.js');
  const n = intOpt(values, 'orgs', fallback);
  const lo = Math.max(MIN_ORGS, min ?? MIN_ORGS);
  if (n < lo || n > MAX_ORGS) throw new CliError(`--orgs must be from ${lo} to ${MAX_ORGS}, got ${n}`, EXIT.usage, 'bad_orgs');
  return n;
}

export const besuConfigCommand: Command = {
  name: 'consortium besu-config',
  summary:
    'Write what operators need to run the consortium on Hyperledger Besu with QBFT: genesis (one validator per organisation), node keys, Besu and TradeTwin configurations, a compose file.',
  usage: 'consortium besu-config --orgs N --out DIR [--chain-id N] [--json]',
  options: { ...COMMON, orgs: { type: 'string' }, out: { type: 'string' }, 'chain-id': { type: 'string' } },
  async run({ values }) {
    const orgs = await orgsOpt(values, 4);
    const out = requireStr(values, 'out');
    if (existsSync(out) && readdirSync(out).length > 0)
      throw new CliError(`${out} is not empty: besu-config writes fresh keys into a new directory`, EXIT.usage, 'out_not_empty');
    const chainId = intOpt(values, 'chain-id', 1337);
    if (chainId < 1) throw new CliError('--chain-id must be ≥ 1');
    const { besuConsortium, writeBesuConsortium } = await import('../consortium/besu.js');
    const c = besuConsortium({ orgs, chainId });
    writeBesuConsortium(out, c);
    const summary = {
      dir: out,
      chainId: c.chainId,
      members: c.members.map((m) => ({
        org: m.name,
        slug: m.slug,
        validator: m.validator,
        enode: m.enode,
        account: m.account,
        rpcUrl: `http://${m.besu.ip}:${m.besu.rpcPort}`,
        httpPort: m.tradetwin.httpPort,
      })),
      files: c.files.map((f) => f.path),
    };
    if (values.json) printJson(summary);
    else {
      process.stdout.write(`Besu QBFT consortium of ${orgs} organisations (chain ${c.chainId}) written to ${out}\n`);
      for (const m of summary.members)
        process.stdout.write(`  ${m.slug.padEnd(10)} validator ${m.validator}  account ${m.account}\n`);
      process.stdout.write('Next: docker compose up in that directory (see README "A consortium: one node per organisation").\n');
    }
    return EXIT.ok;
  },
};

export const consortiumCommands: Command[] = [besuConfigCommand];
export { str };
