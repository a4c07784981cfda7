// The node's contracts. An embedded (or fresh private) network gets them
// deployed by the node itself on first start, with the node's organisation
// admitted as a genesis member (with any other genesis members given), then
// MemberRegistry's admission handed over to ConsortiumGovernance, so that every
// later admission is a member vote; an external network's addresses come from configuration and are
// only verified. The deployment is remembered in the store (setting
// `chain.contracts`) so later starts find it, and notice a reset dev chain.
import type { Address } from 'viem';
import {
  deviceRegistryAbi,
  deviceRegistryBytecode,
  logAnchorAbi,
  logAnchorBytecode,
  memberRegistryAbi,
  memberRegistryBytecode,
  nodeDirectoryAbi,
  nodeDirectoryBytecode,
} from '@tradetwin/contracts/generated/index';
import type { NodeStore } from '../storage/types.js';
import type { ChainClients } from './clients.js';
import { chainCall } from './errors.js';
import { DEFAULT_GOVERNANCE_SETTINGS, deployGovernance, handOverAdmission, type GovernanceSettings } from './governance.js';
import { ALL_ROLES, admitMember, hasMemberRole, orgOf } from './members.js';
import { deployContractAndConfirm } from './transact.js';

export const CONTRACTS_SETTING = 'chain.contracts';
/** Written here too: a redeployment invalidates the device event cursor (see devices.ts). */
export const DEVICE_CURSOR_SETTING = 'chain.devices.cursor';

export interface ContractAddresses {
  memberRegistry: Address;
  deviceRegistry: Address;
  logAnchor: Address;
  /**
   * Where member nodes publish their endpoint and keys (issue 13). Always deployed with the others
   * now; absent only on an external network configured without it (then the node has no peers).
   */
  nodeDirectory?: Address;
  /** ConsortiumGovernance, holding MemberRegistry's admission role (absent on networks deployed before it). */
  governance?: Address;
}

/** A founding member admitted at deployment, before admission passes to the vote. */
export interface GenesisMember {
  account: Address;
  name: string;
  roles: number;
}

/** How a fresh deployment sets up the consortium's governance. */
export interface GenesisOptions {
  /** Founding members besides the node's own organisation (org 1), admitted in this order (orgs 2, 3, …). */
  members?: GenesisMember[];
  /** Voting settings (default DEFAULT_GOVERNANCE_SETTINGS). */
  settings?: GovernanceSettings;
  /** The consortium's oracle threshold (default 2). */
  oracleThreshold?: number;
}

/** What `chain.contracts` holds. */
export interface StoredDeployment {
  chainId: number;
  addresses: ContractAddresses;
  /** First block that can hold events of interest to this node (deployment, or first start on an external network). */
  fromBlock: number;
  /** True when this node deployed the contracts (it may then redeploy them on a reset dev chain). */
  deployedByNode: boolean;
}

export interface EnsureContractsOptions {
  /** The node's organisation, admitted on a fresh deployment. */
  orgName: string;
  /** Roles for the node's organisation on a fresh deployment (default: all; the node founds the network). */
  roles?: number;
  /** Configured addresses of an external network: verify only, never deploy. */
  addresses?: ContractAddresses;
  /** Genesis of a fresh deployment: other founding members and the governance settings. */
  genesis?: GenesisOptions;
}

export interface EnsureContractsResult {
  addresses: ContractAddresses;
  chainId: number;
  /** The node's organisation id. */
  orgId: number;
  fromBlock: number;
  /** Deployed during this call (first start, or after a reset). */
  deployed: boolean;
  /** Deployed again because the stored contracts had vanished (the dev chain was reset). */
  redeployed: boolean;
  /** One line for the operator. */
  message: string;
}

export class ContractsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractsError';
  }
}

export async function readDeployment(store: NodeStore): Promise<StoredDeployment | null> {
  const raw = await store.getSetting(CONTRACTS_SETTING);
  return raw ? (JSON.parse(raw) as StoredDeployment) : null;
}

/** Make sure the node has working contracts; deploy them on a fresh network. */
export async function ensureContracts(
  store: NodeStore,
  clients: ChainClients,
  opts: EnsureContractsOptions,
): Promise<EnsureContractsResult> {
  const chainId = clients.chain.id;
  const actual = await chainCall('eth_chainId', () => clients.publicClient.getChainId());
  if (actual !== chainId) {
    throw new ContractsError(`the RPC endpoint serves chain ${actual}, but the node is configured for chain ${chainId}`);
  }
  const stored = await readDeployment(store);
  if (stored && stored.chainId !== chainId) {
    throw new ContractsError(
      `this data directory's contracts live on chain ${stored.chainId}, but the node is configured for chain ${chainId}; ` +
        `use the original network, or a new data directory for a new network`,
    );
  }

  if (opts.addresses) {
    const a = opts.addresses;
    const missing = await withoutCode(clients, a);
    if (missing.length > 0) {
      throw new ContractsError(
        `no contract code at ${missing.join(', ')} on chain ${chainId}: check the configured contract addresses and the RPC URL`,
      );
    }
    const orgId = await requireMembership(clients, a.memberRegistry);
    const same = stored && sameAddresses(stored.addresses, a);
    const fromBlock = same
      ? stored.fromBlock
      : Number(await chainCall('eth_blockNumber', () => clients.publicClient.getBlockNumber()));
    if (!same) await save(store, { chainId, addresses: a, fromBlock, deployedByNode: false });
    return {
      addresses: a,
      chainId,
      orgId,
      fromBlock,
      deployed: false,
      redeployed: false,
      message: `using the configured contracts (org ${orgId})`,
    };
  }

  if (stored) {
    const missing = await withoutCode(clients, stored.addresses);
    if (missing.length === 0) {
      const orgId = await requireMembership(clients, stored.addresses.memberRegistry);
      // A deployment made before the node directory existed gets one now (the node founded the network).
      if (!stored.addresses.nodeDirectory && stored.deployedByNode) {
        const dir = await deployNodeDirectory(clients, stored.addresses.memberRegistry);
        stored.addresses = { ...stored.addresses, nodeDirectory: dir };
        await store.setSetting(CONTRACTS_SETTING, JSON.stringify(stored));
      }
      return {
        addresses: stored.addresses,
        chainId,
        orgId,
        fromBlock: stored.fromBlock,
        deployed: false,
        redeployed: false,
        message: `contracts found at the stored addresses (org ${orgId})`,
      };
    }
    if (missing.length < coreAddresses(stored.addresses).length || !stored.deployedByNode) {
      throw new ContractsError(
        `contract code is missing at ${missing.join(', ')} on chain ${chainId} (stored in ${CONTRACTS_SETTING}): ` +
          `the network does not hold this node's contracts`,
      );
    }
    // All three gone: the embedded chain was reset (state file removed). Start over on it.
  }

  const d = await deployContracts(clients, opts.orgName, opts.roles ?? ALL_ROLES, opts.genesis);
  await save(store, { chainId, addresses: d.addresses, fromBlock: d.fromBlock, deployedByNode: true });
  const redeployed = stored !== null;
  return {
    addresses: d.addresses,
    chainId,
    orgId: d.orgId,
    fromBlock: d.fromBlock,
    deployed: true,
    redeployed,
    message: redeployed
      ? `the chain no longer holds the contracts stored in this data directory (was it reset?): deployed them again`
      : `deployed the contracts and admitted "${opts.orgName}" as org ${d.orgId}`,
  };
}

/**
 * Deploy MemberRegistry (admin = node account), DeviceRegistry and LogAnchor; admit the genesis
 * members (the node's organisation first); deploy ConsortiumGovernance and hand admission over to it.
 */
export async function deployContracts(
  clients: ChainClients,
  orgName: string,
  roles: number,
  genesis: GenesisOptions = {},
): Promise<{ addresses: ContractAddresses; orgId: number; fromBlock: number; genesisOrgs: number[] }> {
  const admin = clients.account.address;
  const members = await deployContractAndConfirm(clients, {
    name: 'MemberRegistry',
    abi: memberRegistryAbi,
    bytecode: memberRegistryBytecode,
    args: [admin],
  });
  const devices = await deployContractAndConfirm(clients, {
    name: 'DeviceRegistry',
    abi: deviceRegistryAbi,
    bytecode: deviceRegistryBytecode,
    args: [members.address],
  });
  const anchor = await deployContractAndConfirm(clients, {
    name: 'LogAnchor',
    abi: logAnchorAbi,
    bytecode: logAnchorBytecode,
    args: [members.address],
  });
  const nodeDirectory = await deployNodeDirectory(clients, members.address);
  const { orgId } = await admitMember(clients, members.address, { account: admin, name: orgName, roles });
  const genesisOrgs = [orgId];
  for (const m of genesis.members ?? []) genesisOrgs.push((await admitMember(clients, members.address, m)).orgId);
  const governance = await deployGovernance(
    clients,
    members.address,
    genesis.settings ?? DEFAULT_GOVERNANCE_SETTINGS,
    genesis.oracleThreshold ?? 2,
  );
  // End of genesis: from here on only a passed proposal admits, suspends or removes a member.
  await handOverAdmission(clients, members.address, governance.address);
  return {
    addresses: {
      memberRegistry: members.address,
      deviceRegistry: devices.address,
      logAnchor: anchor.address,
      nodeDirectory,
      governance: governance.address,
    },
    orgId,
    fromBlock: members.blockNumber,
    genesisOrgs,
  };
}

async function deployNodeDirectory(clients: ChainClients, memberRegistry: Address): Promise<Address> {
  const dir = await deployContractAndConfirm(clients, {
    name: 'NodeDirectory',
    abi: nodeDirectoryAbi,
    bytecode: nodeDirectoryBytecode,
    args: [memberRegistry],
  });
  return dir.address;
}

async function requireMembership(clients: ChainClients, registry: Address): Promise<number> {
  const account = clients.account.address;
  const orgId = await orgOf(clients, registry, account);
  const active = orgId !== 0 && (await hasMemberRole(clients, registry, account, 0));
  if (!active) {
    throw new ContractsError(
      orgId === 0
        ? `the node account ${account} is not a member of MemberRegistry ${registry} on chain ${clients.chain.id}: ` +
            `ask a member to propose its admission (tradetwin governance propose admit, i.e. ConsortiumGovernance ` +
            `proposeAdmission(${account}, name, roles); before governance: admitMember) and the members to vote, ` +
            `or ask your organisation to add it (addAccount), then start the node again`
        : `the node account ${account} belongs to org ${orgId}, which is suspended or removed in MemberRegistry ${registry}: ` +
            `a suspended member is reactivated by a passed proposal (tradetwin governance propose status ${orgId} --active)`,
    );
  }
  return orgId;
}

async function withoutCode(clients: ChainClients, a: ContractAddresses): Promise<Address[]> {
  const list = coreAddresses(a);
  const codes = await Promise.all(
    list.map((address) => chainCall('eth_getCode', () => clients.publicClient.getCode({ address }))),
  );
  return list.filter((_, i) => !codes[i] || codes[i] === '0x');
}

/** Record a (new) deployment; the device event cursor then starts over at its fromBlock. */
async function save(store: NodeStore, d: StoredDeployment): Promise<void> {
  await store.setSetting(CONTRACTS_SETTING, JSON.stringify(d));
  await store.setSetting(DEVICE_CURSOR_SETTING, '');
}

/** Every address the deployment names (the node directory when it has one). */
function coreAddresses(a: ContractAddresses): Address[] {
  return [a.memberRegistry, a.deviceRegistry, a.logAnchor, ...(a.nodeDirectory ? [a.nodeDirectory] : [])];
}

function sameAddresses(x: ContractAddresses, y: ContractAddresses): boolean {
  return (
    (x.nodeDirectory ?? '').toLowerCase() === (y.nodeDirectory ?? '').toLowerCase() &&
    x.memberRegistry.toLowerCase() === y.memberRegistry.toLowerCase() &&
    x.deviceRegistry.toLowerCase() === y.deviceRegistry.toLowerCase() &&
    x.logAnchor.toLowerCase() === y.logAnchor.toLowerCase()
  );
}
