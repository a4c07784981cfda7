// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MemberRegistry} from "./MemberRegistry.sol";

/// @title TradeTwin device registry
/// @notice Device public keys, owned by member organisations. A device id is
///         `keccak256(utf8(deviceId))`. Key types: 1 = P-256/ES256 (65-byte SEC1 uncompressed,
///         0x04‖x‖y), 2 = Ed25519/EdDSA (32 bytes). Times are block timestamps in seconds.
/// @dev A device id can be registered once; after revocation a replacement key needs a new id.
///      A device is active in [registeredAt, revokedAt), where a removal of its owner member
///      (MemberRegistry `removedAt`) counts as a revocation at that time: readings signed before
///      the removal stay valid, later ones are refused.
contract DeviceRegistry {
    /// @notice Role bit a member needs to register devices.
    uint256 internal constant DEVICE_OWNER = 128;
    /// @notice Key type code for P-256 / ES256.
    uint8 internal constant KEY_P256 = 1;
    /// @notice Key type code for Ed25519 / EdDSA.
    uint8 internal constant KEY_ED25519 = 2;

    /// @notice A device as returned by {device}.
    /// @param ownerOrg Owning member id (0 = unknown device).
    /// @param keyType 1 = P-256, 2 = Ed25519.
    /// @param publicKey The device's public key.
    /// @param metadataHash Hash of off-chain metadata (opaque here).
    /// @param registeredAt Block timestamp of registration, seconds.
    /// @param revokedAt When the key stopped being valid, seconds (0 = not revoked).
    struct Device {
        uint256 ownerOrg;
        uint8 keyType;
        bytes publicKey;
        bytes32 metadataHash;
        uint64 registeredAt;
        uint64 revokedAt;
    }

    /// @dev Storage layout: keyType, registeredAt and revokedAt share one slot.
    struct DeviceRecord {
        uint256 ownerOrg;
        bytes32 metadataHash;
        uint64 registeredAt;
        uint64 revokedAt;
        uint8 keyType;
        bytes publicKey;
    }

    /// @notice The member registry consulted for membership and roles.
    MemberRegistry public immutable members;

    mapping(bytes32 deviceId => DeviceRecord) private _devices;
    uint256 private _deviceCount;

    /// @notice A device key was registered.
    event DeviceRegistered(
        bytes32 indexed deviceId,
        uint256 indexed ownerOrg,
        uint8 keyType,
        bytes publicKey,
        bytes32 metadataHash,
        uint64 registeredAt
    );
    /// @notice A device key was revoked as of `effectiveAt` (seconds).
    event DeviceRevoked(bytes32 indexed deviceId, uint256 indexed ownerOrg, uint64 effectiveAt);

    /// @notice `account` is not an account of an active member.
    error NotAMember(address account);
    /// @notice `account`'s member lacks `role`.
    error MissingRole(address account, uint256 role);
    /// @notice `deviceId` is already registered (revoked devices included).
    error DeviceExists(bytes32 deviceId);
    /// @notice `deviceId` is not registered.
    error UnknownDevice(bytes32 deviceId);
    /// @notice `keyType` is neither 1 (P-256) nor 2 (Ed25519).
    error BadKeyType(uint8 keyType);
    /// @notice The public key has the wrong length (or, for P-256, lacks the 0x04 prefix).
    error BadPublicKey(uint8 keyType, uint256 length);
    /// @notice `caller` is not an account of the member owning `deviceId`.
    error NotDeviceOwner(address caller, bytes32 deviceId);
    /// @notice `deviceId` was already revoked as of `revokedAt`.
    error AlreadyRevoked(bytes32 deviceId, uint64 revokedAt);
    /// @notice A revocation cannot take effect before the device was registered.
    error RevocationBeforeRegistration(uint64 effectiveAt, uint64 registeredAt);
    /// @notice A revocation cannot be dated in the future (`effectiveAt` > block timestamp `now_`).
    error RevocationInFuture(uint64 effectiveAt, uint64 now_);
    /// @notice The zero address is not allowed here.
    error ZeroAddress();

    /// @param members_ The member registry.
    constructor(MemberRegistry members_) {
        if (address(members_) == address(0)) revert ZeroAddress();
        members = members_;
    }

    /// @notice Registers a device key for the caller's member.
    /// @dev The caller must be an account of an active member with DEVICE_OWNER (128).
    /// @param deviceId `keccak256(utf8(deviceId))`.
    /// @param keyType 1 = P-256 (65 bytes starting 0x04), 2 = Ed25519 (32 bytes).
    /// @param publicKey The device's public key.
    /// @param metadataHash Hash of off-chain metadata (opaque, may be 0).
    function registerDevice(bytes32 deviceId, uint8 keyType, bytes calldata publicKey, bytes32 metadataHash)
        external
    {
        uint256 orgId = _requireDeviceOwner(msg.sender);
        if (keyType == KEY_P256) {
            if (publicKey.length != 65 || publicKey[0] != 0x04) revert BadPublicKey(keyType, publicKey.length);
        } else if (keyType == KEY_ED25519) {
            if (publicKey.length != 32) revert BadPublicKey(keyType, publicKey.length);
        } else {
            revert BadKeyType(keyType);
        }
        DeviceRecord storage d = _devices[deviceId];
        if (d.ownerOrg != 0) revert DeviceExists(deviceId);

        uint64 registeredAt = uint64(block.timestamp);
        d.ownerOrg = orgId;
        d.metadataHash = metadataHash;
        d.registeredAt = registeredAt;
        d.keyType = keyType;
        d.publicKey = publicKey;
        unchecked {
            ++_deviceCount;
        }
        emit DeviceRegistered(deviceId, orgId, keyType, publicKey, metadataHash, registeredAt);
    }

    /// @notice Revokes a device key, now or back-dated (e.g. to a key compromise).
    /// @dev Callable by any account of the owning member, active or not.
    /// @param deviceId The device.
    /// @param effectiveAt When the key stopped being valid, seconds; 0 = now. Not before
    ///        registration and not in the future.
    function revokeDevice(bytes32 deviceId, uint64 effectiveAt) external {
        DeviceRecord storage d = _devices[deviceId];
        uint256 ownerOrg = d.ownerOrg;
        if (ownerOrg == 0) revert UnknownDevice(deviceId);
        if (members.orgOf(msg.sender) != ownerOrg) revert NotDeviceOwner(msg.sender, deviceId);
        if (d.revokedAt != 0) revert AlreadyRevoked(deviceId, d.revokedAt);
        uint64 nowSec = uint64(block.timestamp);
        uint64 revokedAt = effectiveAt == 0 ? nowSec : effectiveAt;
        if (revokedAt < d.registeredAt) revert RevocationBeforeRegistration(revokedAt, d.registeredAt);
        if (revokedAt > nowSec) revert RevocationInFuture(revokedAt, nowSec);
        d.revokedAt = revokedAt;
        emit DeviceRevoked(deviceId, ownerOrg, revokedAt);
    }

    /// @notice Device `deviceId`; all fields are zero for an unknown device. `revokedAt` is the
    ///         effective one: the earlier of the device's revocation and its owner's removal.
    function device(bytes32 deviceId) external view returns (Device memory) {
        DeviceRecord storage d = _devices[deviceId];
        return Device({
            ownerOrg: d.ownerOrg,
            keyType: d.keyType,
            publicKey: d.publicKey,
            metadataHash: d.metadataHash,
            registeredAt: d.registeredAt,
            revokedAt: _effectiveRevokedAt(d)
        });
    }

    /// @notice Whether the device's key was valid at time `t` (seconds): registered at or before
    ///         `t` and not revoked at or before `t`. False for unknown devices.
    function isActiveAt(bytes32 deviceId, uint64 t) external view returns (bool) {
        DeviceRecord storage d = _devices[deviceId];
        if (d.ownerOrg == 0 || t < d.registeredAt) return false;
        uint64 revokedAt = _effectiveRevokedAt(d);
        return revokedAt == 0 || t < revokedAt;
    }

    /// @notice Number of devices ever registered (revoked ones included).
    function deviceCount() external view returns (uint256) {
        return _deviceCount;
    }

    /// @dev The device's revocation time or its owner's removal time, whichever is earlier (0 = neither).
    function _effectiveRevokedAt(DeviceRecord storage d) internal view returns (uint64) {
        uint64 revokedAt = d.revokedAt;
        if (d.ownerOrg == 0) return revokedAt;
        uint64 removedAt = members.removedAt(d.ownerOrg);
        if (removedAt != 0 && (revokedAt == 0 || removedAt < revokedAt)) return removedAt;
        return revokedAt;
    }

    /// @dev Returns the caller's member id; reverts unless it is an active member with DEVICE_OWNER.
    function _requireDeviceOwner(address account) private view returns (uint256 orgId) {
        orgId = members.activeOrgOf(account);
        if (orgId == 0) revert NotAMember(account);
        if (!members.hasMemberRole(account, DEVICE_OWNER)) revert MissingRole(account, DEVICE_OWNER);
    }
}
