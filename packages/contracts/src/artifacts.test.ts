import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAbi, type Abi, type AbiParameter } from 'viem';
import { CONTRACT_NAMES, GENERATED_DIR, compileContracts, renderAll } from './compile.js';
import * as generated from './generated/index.js';

// The interfaces as written in docs/design.md ("Contract interfaces"), the seam the node and
// the browser depend on. The compiled ABIs must contain every item here, exactly.
const SPEC: Record<(typeof CONTRACT_NAMES)[number], readonly string[]> = {
  MemberRegistry: [
    'constructor(address admin)',
    'function ADMISSION_ROLE() view returns (bytes32)',
    'function admitMember(address account, string name, uint256 roles) returns (uint256 orgId)',
    'function addAccount(uint256 orgId, address account)',
    'function removeAccount(address account)',
    'function setRoles(uint256 orgId, uint256 roles)',
    'function setActive(uint256 orgId, bool active)',
    'function orgOf(address) view returns (uint256)',
    'struct Member { string name; uint256 roles; bool active; uint64 admittedAt; }',
    'function member(uint256 orgId) view returns (Member)',
    'function hasMemberRole(address account, uint256 role) view returns (bool)',
    'function memberCount() view returns (uint256)',
    'event MemberAdmitted(uint256 indexed orgId, address indexed account, string name, uint256 roles)',
    'event AccountAdded(uint256 indexed orgId, address indexed account)',
    'event AccountRemoved(uint256 indexed orgId, address indexed account)',
    'event RolesChanged(uint256 indexed orgId, uint256 roles)',
    'event MemberStatusChanged(uint256 indexed orgId, bool active)',
    'error NotAMember(address)',
    'error UnknownOrg(uint256)',
    'error AccountAlreadyMember(address account, uint256 orgId)',
    'error NotOrgAccount(address caller, uint256 orgId)',
    'error EmptyName()',
    'error NoRoles()',
    'error ZeroAddress()',
  ],
  DeviceRegistry: [
    'constructor(address members)',
    'function registerDevice(bytes32 deviceId, uint8 keyType, bytes publicKey, bytes32 metadataHash)',
    'function revokeDevice(bytes32 deviceId, uint64 effectiveAt)',
    'struct Device { uint256 ownerOrg; uint8 keyType; bytes publicKey; bytes32 metadataHash; uint64 registeredAt; uint64 revokedAt; }',
    'function device(bytes32) view returns (Device)',
    'function isActiveAt(bytes32 deviceId, uint64 t) view returns (bool)',
    'function deviceCount() view returns (uint256)',
    'event DeviceRegistered(bytes32 indexed deviceId, uint256 indexed ownerOrg, uint8 keyType, bytes publicKey, bytes32 metadataHash, uint64 registeredAt)',
    'event DeviceRevoked(bytes32 indexed deviceId, uint256 indexed ownerOrg, uint64 effectiveAt)',
    'error NotAMember(address)',
    'error MissingRole(address account, uint256 role)',
    'error DeviceExists(bytes32)',
    'error UnknownDevice(bytes32)',
    'error BadKeyType(uint8)',
    'error BadPublicKey(uint8 keyType, uint256 length)',
    'error NotDeviceOwner(address caller, bytes32 deviceId)',
    'error AlreadyRevoked(bytes32 deviceId, uint64 revokedAt)',
    'error RevocationBeforeRegistration(uint64 effectiveAt, uint64 registeredAt)',
  ],
  LogAnchor: [
    'constructor(address members)',
    'function publishHead(uint64 size, bytes32 root, uint64 timestamp)',
    'event HeadPublished(address indexed publisher, uint256 indexed orgId, uint64 size, bytes32 root, uint64 timestamp, uint256 count)',
    'struct Head { uint64 size; uint64 timestamp; bytes32 root; }',
    'function latestHead(address) view returns (Head)',
    'function rootAt(address, uint64 size) view returns (bytes32)',
    'function isAnchored(address publisher, uint64 size, bytes32 root) view returns (bool)',
    'function headCount(address) view returns (uint256)',
    'error NotAMember(address)',
    'error SizeNotIncreasing(uint64 latest, uint64 given)',
    'error TimestampWentBack(uint64 latest, uint64 given)',
    'error EmptyRoot()',
  ],
};

/** Canonical form of an ABI item, ignoring parameter names. */
function canon(item: Abi[number]): string {
  const t = (p: AbiParameter): string =>
    p.type.startsWith('tuple')
      ? `(${((p as { components?: readonly AbiParameter[] }).components ?? []).map(t).join(',')})${p.type.slice(5)}`
      : p.type;
  const params = (ps: readonly AbiParameter[]) => ps.map((p) => t(p) + ((p as { indexed?: boolean }).indexed ? ' indexed' : '')).join(',');
  switch (item.type) {
    case 'function':
      return `function ${item.name}(${params(item.inputs)}) ${item.stateMutability} returns (${params(item.outputs)})`;
    case 'event':
      return `event ${item.name}(${params(item.inputs)})`;
    case 'error':
      return `error ${item.name}(${params(item.inputs)})`;
    case 'constructor':
      return `constructor(${params(item.inputs)})`;
    default:
      return item.type;
  }
}

const GENERATED_ABIS: Record<(typeof CONTRACT_NAMES)[number], Abi> = {
  MemberRegistry: generated.memberRegistryAbi,
  DeviceRegistry: generated.deviceRegistryAbi,
  LogAnchor: generated.logAnchorAbi,
};

describe('artifacts', () => {
  let first: ReturnType<typeof compileContracts> | undefined;
  it('the committed src/generated files equal a fresh offline compilation', () => {
    first = compileContracts();
    const files = renderAll(first);
    const committed = readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.ts')).sort();
    assert.deepEqual(committed, [...files.keys()].sort(), 'generated file set');
    for (const [file, text] of files) {
      assert.equal(readFileSync(join(GENERATED_DIR, file), 'utf8'), text, `${file} is stale: run npm run build:contracts`);
    }
  });

  it('compilation is deterministic', () => {
    const a = first ?? compileContracts();
    const b = compileContracts();
    assert.deepEqual(a, b);
    for (const c of a) assert.match(c.bytecode, /^0x(?:[0-9a-f]{2})+$/);
  });

  for (const name of CONTRACT_NAMES) {
    it(`${name} ABI implements the interface in docs/design.md`, () => {
      const abi = GENERATED_ABIS[name];
      const actual = new Set(abi.map(canon));
      for (const item of parseAbi(SPEC[name])) {
        assert.ok(actual.has(canon(item)), `${name} lacks ${canon(item)}`);
      }
    });
  }
});
