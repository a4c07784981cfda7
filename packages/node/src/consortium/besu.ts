// `tradetwin consortium besu-config`: what operators need to run a consortium
// on Hyperledger Besu with QBFT, one validator per member organisation. Besu's
// documented formats (besu.hyperledger.org: "Configure QBFT consensus",
// "Genesis file items", "Configure free gas networks"):
//  - genesis.json: config.qbft {blockperiodseconds, epochlength,
//    requesttimeoutseconds}; extraData = RLP([32-byte vanity, [validators],
//    [] votes, round (empty), [] seals]) with the validators' node addresses;
//    free gas by zeroBaseFee (and baseFeePerGas 0) plus min-gas-price=0 on
//    every node; the EVM forks the contracts are compiled for (cancun);
//  - per Besu node: a secp256k1 node key (its address is the validator
//    address, its 64-byte public key the enode id) and a config.toml;
//  - per TradeTwin node: config.json (chain mode external on its Besu node's
//    RPC, gas price 0) and its account key;
//  - members.json (the genesis members) and a docker compose file.
// Nothing here needs Besu: tests check the files against those formats.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { type Address, bytesToHex, type Hex, toRlp } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { rpc } from '@tradetwin/contracts/devchain';
import { createChainClients } from '../chain/clients.js';
import type { ContractAddresses } from '../chain/deploy.js';
import { ROLES } from '../chain/members.js';
import type { NodeConfig } from '../config.js';
import { ConsortiumUnreachable, deployConsortium } from './cluster.js';
import { type ConsortiumOrg, ConsortiumError, consortiumOrgs } from './orgs.js';

/** The last 32 bytes of "practical byzantine fault tolerance" in ASCII: the mixHash of Besu's BFT genesis files. */
export const BFT_MIX_HASH = '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365';

export interface BesuConfigOptions {
  orgs: number;
  chainId?: number;
  /** One block a second: an anchor and a claim each wait for one (the S1 payout target is 5 s). */
  blockPeriodSeconds?: number;
  /** The compose network's subnet prefix: node i gets <prefix>.(10+i) (Besu enode URLs need IPs). */
  subnet?: string;
  /** Genesis time, seconds (default now). */
  timestamp?: number;
}

export interface BesuMember extends ConsortiumOrg {
  /** The Besu node key's address: the QBFT validator. */
  validator: Hex;
  /** The enode id: the node key's uncompressed public key without its 0x04 prefix. */
  enodeId: string;
  enode: string;
  /** The TradeTwin node's account (the organisation's key on chain). */
  account: Hex;
  besu: { ip: string; rpcPort: number; p2pPort: number };
  /** `ip`: the TradeTwin node's address on the compose network (what it registers in NodeDirectory). */
  tradetwin: { ip: string; httpPort: number; mqttPort: number };
}

export interface BesuConsortium {
  chainId: number;
  genesis: Record<string, unknown>;
  members: BesuMember[];
  /** Relative path → contents (and whether it is a secret, written 0600). */
  files: { path: string; contents: string; secret?: boolean }[];
}

export const BESU_IMAGE = 'hyperledger/besu:latest';

/** Build every file (keys freshly generated). Pure apart from randomness. */
export function besuConsortium(opts: BesuConfigOptions): BesuConsortium {
  const orgs = consortiumOrgs(opts.orgs);
  const chainId = opts.chainId ?? 1337;
  const subnet = opts.subnet ?? '172.16.239';
  const files: BesuConsortium['files'] = [];
  const members: BesuMember[] = orgs.map((org, i) => {
    const nodeKey = secp256k1.utils.randomSecretKey();
    const nodeKeyHex = bytesToHex(nodeKey);
    const publicKey = secp256k1.getPublicKey(nodeKey, false).slice(1);
    const enodeId = bytesToHex(publicKey).slice(2);
    const ip = `${subnet}.${10 + i}`;
    const p2pPort = 30303 + i;
    const accountKey = generatePrivateKey();
    files.push({ path: `besu/${org.slug}/key`, contents: `${nodeKeyHex}\n`, secret: true });
    files.push({ path: `besu/${org.slug}/key.pub`, contents: `0x${enodeId}\n` });
    files.push({ path: `tradetwin/${org.slug}/node-key`, contents: `${accountKey}\n`, secret: true });
    return {
      ...org,
      validator: privateKeyToAccount(nodeKeyHex).address,
      enodeId,
      enode: `enode://${enodeId}@${ip}:${p2pPort}`,
      account: privateKeyToAccount(accountKey).address,
      besu: { ip, rpcPort: 8545 + i, p2pPort },
      tradetwin: { ip: `${subnet}.${100 + i}`, httpPort: 8080 + i, mqttPort: 1883 + i },
    };
  });

  const genesis = {
    config: {
      chainId,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      zeroBaseFee: true,
      contractSizeLimit: 2147483647,
      qbft: { blockperiodseconds: opts.blockPeriodSeconds ?? 1, epochlength: 30000, requesttimeoutseconds: 4 },
    },
    nonce: '0x0',
    timestamp: `0x${(opts.timestamp ?? Math.floor(Date.now() / 1000)).toString(16)}`,
    gasLimit: '0x1fffffffffffff',
    difficulty: '0x1',
    mixHash: BFT_MIX_HASH,
    coinbase: '0x0000000000000000000000000000000000000000',
    baseFeePerGas: '0x0',
    // Gas is free; the balance is only there for tools that insist on one.
    alloc: Object.fromEntries(
      members.map((m) => [m.account.slice(2).toLowerCase(), { balance: '0x3635c9adc5dea00000' /* 1000 ether */ }]),
    ),
    extraData: qbftExtraData(members.map((m) => m.validator)),
  };
  files.push({ path: 'genesis.json', contents: `${JSON.stringify(genesis, null, 2)}\n` });
  files.push({
    path: 'besu/static-nodes.json',
    contents: `${JSON.stringify(
      members.map((m) => m.enode),
      null,
      2,
    )}\n`,
  });

  for (const m of members) {
    files.push({ path: `besu/${m.slug}/config.toml`, contents: besuToml(m, members) });
    files.push({
      path: `tradetwin/${m.slug}/config.json`,
      contents: `${JSON.stringify(tradetwinConfig(m, chainId), null, 2)}\n`,
    });
  }
  files.push({
    path: 'members.json',
    contents: `${JSON.stringify(
      {
        chainId,
        members: members.map((m) => ({ slug: m.slug, name: m.name, roles: m.roles, account: m.account, validator: m.validator })),
      },
      null,
      2,
    )}\n`,
  });
  files.push({ path: 'docker-compose.yml', contents: composeFile(members, subnet) });
  return { chainId, genesis, members, files };
}

/** QBFT genesis extraData: RLP([vanity (32 zero bytes), [validator addresses], [] votes, round (empty), [] seals]). */
export function qbftExtraData(validators: readonly Hex[]): Hex {
  return toRlp([`0x${'00'.repeat(32)}`, validators.map((v) => v.toLowerCase() as Hex), [], '0x', []]);
}

function besuToml(m: BesuMember, all: BesuMember[]): string {
  const q = (s: string) => JSON.stringify(s);
  const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;
  return [
    `# Besu node of ${m.name}: one QBFT validator per member organisation.`,
    `data-path=${q('/data')}`,
    `genesis-file=${q('/config/genesis.json')}`,
    `node-private-key-file=${q('/config/node/key')}`,
    `static-nodes-file=${q('/config/static-nodes.json')}`,
    `bootnodes=${list(all.filter((o) => o !== m).map((o) => o.enode))}`,
    `p2p-host=${q(m.besu.ip)}`,
    `p2p-port=${m.besu.p2pPort}`,
    'rpc-http-enabled=true',
    `rpc-http-host=${q('0.0.0.0')}`,
    `rpc-http-port=${m.besu.rpcPort}`,
    `rpc-http-api=${list(['ETH', 'NET', 'QBFT', 'WEB3', 'TXPOOL'])}`,
    `rpc-http-cors-origins=${list(['*'])}`,
    `host-allowlist=${list(['*'])}`,
    '# Free gas (with zeroBaseFee in the genesis): TradeTwin nodes send gasPrice 0.',
    'min-gas-price=0',
    'sync-mode="FULL"',
    '',
  ].join('\n');
}

/** The TradeTwin node's config.json (packages/node/src/config.ts): its own Besu node's RPC, free gas. */
function tradetwinConfig(m: BesuMember, chainId: number): Partial<NodeConfig> & { $comment: string } {
  return {
    $comment:
      'chain.addresses: written by `tradetwin consortium deploy --dir <this network> --rpc URL` ' +
      '(the first member deploys the contracts and admits every member of members.json)',
    orgName: m.name,
    http: { host: '0.0.0.0', port: m.tradetwin.httpPort },
    mqtt: { mode: 'embedded', host: '0.0.0.0', port: m.tradetwin.mqttPort },
    chain: {
      mode: 'external',
      rpcUrl: `http://${m.besu.ip}:${m.besu.rpcPort}`,
      chainId,
      gasPrice: 0,
      pollingIntervalMs: 500,
    },
    // What the node registers in NodeDirectory: the URL the other organisations reach it at (on other
    // machines: replace by this machine's address). Its oracle serves the members' claims.
    peer: { publicUrl: `http://${m.tradetwin.ip}:${m.tradetwin.httpPort}` },
    consortium: { oracle: (m.roles & ROLES.ORACLE) !== 0 },
  };
}

function composeFile(members: BesuMember[], subnet: string): string {
  const lines = [
    '# One Besu QBFT validator and one TradeTwin node per member organisation.',
    '# TRADETWIN_SRC: a checkout of TradeTwin with `npm ci` done (default: two levels up).',
    'services:',
  ];
  for (const m of members) {
    lines.push(
      `  besu-${m.slug}:`,
      `    image: ${BESU_IMAGE}`,
      '    command: ["--config-file=/config/node/config.toml"]',
      '    volumes:',
      '      - ./genesis.json:/config/genesis.json:ro',
      '      - ./besu/static-nodes.json:/config/static-nodes.json:ro',
      `      - ./besu/${m.slug}:/config/node:ro`,
      `      - besu-data-${m.slug}:/data`,
      '    ports:',
      `      - "${m.besu.rpcPort}:${m.besu.rpcPort}"`,
      `      - "${m.besu.p2pPort}:${m.besu.p2pPort}"`,
      '    networks:',
      '      consortium:',
      `        ipv4_address: ${m.besu.ip}`,
      `  tradetwin-${m.slug}:`,
      '    image: node:24-bookworm',
      '    working_dir: /app',
      '    command: ["node", "packages/node/bin/tradetwin.js", "start", "--data-dir", "/data"]',
      '    volumes:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable, not a template
      '      - ${TRADETWIN_SRC:-../..}:/app:ro',
      `      - ./tradetwin/${m.slug}:/data`,
      '    ports:',
      `      - "${m.tradetwin.httpPort}:${m.tradetwin.httpPort}"`,
      `      - "${m.tradetwin.mqttPort}:${m.tradetwin.mqttPort}"`,
      '    depends_on:',
      `      - besu-${m.slug}`,
      '    networks:',
      '      consortium:',
      `        ipv4_address: ${m.tradetwin.ip}`,
    );
  }
  lines.push(
    'networks:',
    '  consortium:',
    '    ipam:',
    '      config:',
    `        - subnet: ${subnet}.0/24`,
    'volumes:',
    ...members.map((m) => `  besu-data-${m.slug}: {}`),
    '',
  );
  return lines.join('\n');
}

/** Write the files under `dir` (secrets 0600). */
export function writeBesuConsortium(dir: string, c: BesuConsortium): void {
  for (const f of c.files) {
    const path = join(dir, f.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, f.contents, f.secret ? { mode: 0o600 } : {});
    if (f.secret) chmodSync(path, 0o600);
  }
}

/**
 * Deploy the contracts for a network written by besuConsortium: the first member's TradeTwin account
 * deploys and admits every member of members.json (deployConsortium), then every tradetwin/<org>/config.json
 * gets the addresses. Any EVM endpoint will do (a Besu node of the network, or a dev chain in tests).
 */
export async function deployBesuConsortium(
  dir: string,
  opts: { rpcUrl: string; gasPrice: 'auto' | number },
): Promise<{ chainId: number; addresses: ContractAddresses; orgIds: number[] }> {
  const membersFile = join(dir, 'members.json');
  if (!existsSync(membersFile)) throw new ConsortiumError(`${membersFile} does not exist: run besu-config first`);
  const plan = JSON.parse(readFileSync(membersFile, 'utf8')) as {
    chainId: number;
    members: { slug: string; name: string; roles: number; account: Address }[];
  };
  const founder = plan.members[0];
  if (!founder) throw new ConsortiumError(`${membersFile} lists no members`);
  let served: number;
  try {
    served = Number(await rpc<string>(opts.rpcUrl, 'eth_chainId', [], 5000));
  } catch (err) {
    throw new ConsortiumUnreachable(`no EVM endpoint answers at ${opts.rpcUrl}: ${(err as Error).message}`);
  }
  if (served !== plan.chainId)
    throw new ConsortiumError(`${opts.rpcUrl} serves chain ${served}, the network in ${dir} is chain ${plan.chainId}`);
  const key = readFileSync(join(dir, 'tradetwin', founder.slug, 'node-key'), 'utf8').trim() as Hex;
  const clients = createChainClients({
    rpcUrl: opts.rpcUrl,
    chainId: served,
    signerKey: key,
    gasPrice: opts.gasPrice,
    pollingIntervalMs: 200,
  });
  const d = await deployConsortium(
    clients,
    plan.members.map((m) => ({ account: m.account, name: m.name, roles: m.roles })),
  );
  for (const m of plan.members) {
    const file = join(dir, 'tradetwin', m.slug, 'config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { chain: Record<string, unknown> };
    cfg.chain.addresses = d.addresses;
    writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`);
  }
  return { chainId: served, ...d };
}
