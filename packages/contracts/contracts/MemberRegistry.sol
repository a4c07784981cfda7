// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title TradeTwin member registry
/// @notice Members are organisations (sequential ids from 1) with one or more accounts and a
///         bit set of roles: SHIPPER=1 CARRIER=2 CONSIGNEE=4 INSURER=8 FINANCIER=16 ORACLE=32
///         CUSTOMS=64 DEVICE_OWNER=128 PORT=256.
/// @dev Admission, role changes, (de)activation and removal need `ADMISSION_ROLE`, held by the
///      admin at deployment (to admit the genesis members) and then handed to
///      {ConsortiumGovernance} (admission by member vote): the deployment grants both roles to the
///      governance contract and renounces its own. A removed member is out for good: its
///      `removedAt` bounds its devices' validity in {DeviceRegistry}.
contract MemberRegistry is AccessControl {
    /// @notice The role that may admit members, change their roles and (de)activate them.
    bytes32 public constant ADMISSION_ROLE = keccak256("ADMISSION_ROLE");

    /// @notice An organisation as returned by {member}.
    /// @param name Display name (never empty).
    /// @param roles Bit set of roles (never 0).
    /// @param active False while the member is suspended.
    /// @param admittedAt Block timestamp of admission, in seconds.
    struct Member {
        string name;
        uint256 roles;
        bool active;
        uint64 admittedAt;
    }

    /// @dev Storage layout: `active` and `admittedAt` share a slot, read first by {hasMemberRole}.
    struct MemberRecord {
        bool active;
        uint64 admittedAt;
        uint64 removedAt;
        uint256 roles;
        string name;
    }

    mapping(uint256 orgId => MemberRecord) private _members;
    mapping(address account => uint256 orgId) private _orgOf;
    uint256 private _memberCount;
    uint256 private _activeCount;

    /// @notice A member was admitted with its first account.
    event MemberAdmitted(uint256 indexed orgId, address indexed account, string name, uint256 roles);
    /// @notice An account was added to a member.
    event AccountAdded(uint256 indexed orgId, address indexed account);
    /// @notice An account was removed from a member.
    event AccountRemoved(uint256 indexed orgId, address indexed account);
    /// @notice A member's roles were replaced.
    event RolesChanged(uint256 indexed orgId, uint256 roles);
    /// @notice A member was activated or suspended.
    event MemberStatusChanged(uint256 indexed orgId, bool active);
    /// @notice A member was removed for good as of `removedAt` (seconds).
    event MemberRemoved(uint256 indexed orgId, uint64 removedAt);

    /// @notice `account` is not an account of any member.
    error NotAMember(address account);
    /// @notice No member has id `orgId`.
    error UnknownOrg(uint256 orgId);
    /// @notice `account` already belongs to member `orgId`.
    error AccountAlreadyMember(address account, uint256 orgId);
    /// @notice `caller` is neither an account of member `orgId` nor holds `ADMISSION_ROLE`.
    error NotOrgAccount(address caller, uint256 orgId);
    /// @notice A member name must not be empty.
    error EmptyName();
    /// @notice A member must have at least one role.
    error NoRoles();
    /// @notice Member `orgId` was removed at `removedAt`; it cannot be changed any more.
    error MemberIsRemoved(uint256 orgId, uint64 removedAt);
    /// @notice The zero address is not allowed here.
    error ZeroAddress();

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` and `ADMISSION_ROLE`.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ADMISSION_ROLE, admin);
    }

    /// @dev Reverts unless `orgId` exists.
    modifier knownOrg(uint256 orgId) {
        if (orgId == 0 || orgId > _memberCount) revert UnknownOrg(orgId);
        _;
    }

    /// @dev Reverts unless the caller is an account of `orgId` or holds `ADMISSION_ROLE`.
    modifier onlyOrgOrAdmission(uint256 orgId) {
        if (_orgOf[msg.sender] != orgId && !hasRole(ADMISSION_ROLE, msg.sender)) {
            revert NotOrgAccount(msg.sender, orgId);
        }
        _;
    }

    /// @notice Admits a new, active member with its first account.
    /// @dev Needs `ADMISSION_ROLE`.
    /// @param account The member's first account; must not belong to any member.
    /// @param name Display name, not empty.
    /// @param roles Role bit set, not 0.
    /// @return orgId The new member's id (ids start at 1).
    function admitMember(address account, string calldata name, uint256 roles)
        external
        onlyRole(ADMISSION_ROLE)
        returns (uint256 orgId)
    {
        if (account == address(0)) revert ZeroAddress();
        if (bytes(name).length == 0) revert EmptyName();
        if (roles == 0) revert NoRoles();
        uint256 existing = _orgOf[account];
        if (existing != 0) revert AccountAlreadyMember(account, existing);

        orgId = ++_memberCount;
        MemberRecord storage m = _members[orgId];
        m.active = true;
        m.admittedAt = uint64(block.timestamp);
        m.roles = roles;
        m.name = name;
        _orgOf[account] = orgId;
        unchecked {
            ++_activeCount;
        }
        emit MemberAdmitted(orgId, account, name, roles);
    }

    /// @notice Adds an account to member `orgId` (not to a removed one).
    /// @dev Callable by an account of `orgId` or a holder of `ADMISSION_ROLE`.
    /// @param orgId An existing member.
    /// @param account Must not belong to any member.
    function addAccount(uint256 orgId, address account) external knownOrg(orgId) onlyOrgOrAdmission(orgId) {
        if (account == address(0)) revert ZeroAddress();
        _requireNotRemoved(orgId);
        uint256 existing = _orgOf[account];
        if (existing != 0) revert AccountAlreadyMember(account, existing);
        _orgOf[account] = orgId;
        emit AccountAdded(orgId, account);
    }

    /// @notice Removes `account` from its member (an account may remove itself).
    /// @dev Callable by an account of the same member or a holder of `ADMISSION_ROLE`.
    /// @param account An account of some member.
    function removeAccount(address account) external {
        uint256 orgId = _orgOf[account];
        if (orgId == 0) revert NotAMember(account);
        if (_orgOf[msg.sender] != orgId && !hasRole(ADMISSION_ROLE, msg.sender)) {
            revert NotOrgAccount(msg.sender, orgId);
        }
        delete _orgOf[account];
        emit AccountRemoved(orgId, account);
    }

    /// @notice Replaces the roles of member `orgId`.
    /// @dev Needs `ADMISSION_ROLE`.
    /// @param orgId An existing member.
    /// @param roles New role bit set, not 0.
    function setRoles(uint256 orgId, uint256 roles) external onlyRole(ADMISSION_ROLE) knownOrg(orgId) {
        if (roles == 0) revert NoRoles();
        _requireNotRemoved(orgId);
        _members[orgId].roles = roles;
        emit RolesChanged(orgId, roles);
    }

    /// @notice Activates or suspends member `orgId`. A suspended member's accounts hold no roles.
    /// @dev Needs `ADMISSION_ROLE`.
    /// @param orgId An existing member.
    /// @param active The new status.
    function setActive(uint256 orgId, bool active) external onlyRole(ADMISSION_ROLE) knownOrg(orgId) {
        _requireNotRemoved(orgId);
        _setActive(orgId, active);
    }

    /// @notice Removes member `orgId` for good as of now: it is suspended, cannot be reactivated,
    ///         and its devices are refused from this time on (what they signed before stays valid).
    /// @dev Needs `ADMISSION_ROLE` (after genesis: a passed {ConsortiumGovernance} proposal).
    /// @param orgId An existing member not removed yet.
    /// @return removedTime The removal time, the block timestamp in seconds.
    function removeMember(uint256 orgId) external onlyRole(ADMISSION_ROLE) knownOrg(orgId) returns (uint64 removedTime) {
        _requireNotRemoved(orgId);
        _setActive(orgId, false);
        removedTime = uint64(block.timestamp);
        _members[orgId].removedAt = removedTime;
        emit MemberRemoved(orgId, removedTime);
    }

    /// @notice The member `account` belongs to.
    /// @return The member id, or 0 if `account` is not a member's account.
    function orgOf(address account) external view returns (uint256) {
        return _orgOf[account];
    }

    /// @notice The member `account` belongs to, if that member is active.
    /// @return The member id, or 0 if `account` is not an account of an active member.
    function activeOrgOf(address account) external view returns (uint256) {
        uint256 orgId = _orgOf[account];
        return orgId != 0 && _members[orgId].active ? orgId : 0;
    }

    /// @notice Member `orgId`; reverts with {UnknownOrg} if it does not exist.
    function member(uint256 orgId) external view knownOrg(orgId) returns (Member memory) {
        MemberRecord storage m = _members[orgId];
        return Member({name: m.name, roles: m.roles, active: m.active, admittedAt: m.admittedAt});
    }

    /// @notice Whether `account` belongs to an active member whose roles include every bit of `role`.
    /// @dev With `role` 0 this asks only whether `account` belongs to an active member.
    function hasMemberRole(address account, uint256 role) external view returns (bool) {
        uint256 orgId = _orgOf[account];
        if (orgId == 0) return false;
        MemberRecord storage m = _members[orgId];
        if (!m.active) return false;
        return role == 0 || (m.roles & role) == role;
    }

    /// @notice When member `orgId` was removed, in seconds; 0 if it was not (or does not exist).
    function removedAt(uint256 orgId) external view returns (uint64) {
        return _members[orgId].removedAt;
    }

    /// @notice Number of active members (the electorate of {ConsortiumGovernance}).
    function activeMemberCount() external view returns (uint256) {
        return _activeCount;
    }

    /// @notice Number of members ever admitted (the highest member id).
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @dev Sets the status and keeps the count of active members in step.
    function _setActive(uint256 orgId, bool active) internal {
        MemberRecord storage m = _members[orgId];
        if (m.active != active) {
            m.active = active;
            if (active) ++_activeCount;
            else --_activeCount;
        }
        emit MemberStatusChanged(orgId, active);
    }

    /// @dev Reverts with {MemberIsRemoved} once `orgId` has been removed.
    function _requireNotRemoved(uint256 orgId) internal view {
        uint64 removedTime = _members[orgId].removedAt;
        if (removedTime != 0) revert MemberIsRemoved(orgId, removedTime);
    }
}
