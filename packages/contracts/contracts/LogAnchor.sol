// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MemberRegistry} from "./MemberRegistry.sol";

/// @title TradeTwin log anchor
/// @notice Member nodes publish the signed heads of their RFC 9162 transparency logs here, per
///         publisher account. The latest head and `rootAt[publisher][size]` are stored (so a
///         contract can check in O(1) that evidence is anchored); the history is in events.
/// @dev Storage per publisher: one slot (latest size, latest timestamp, head count) plus one
///      `rootAt` slot per head. The latest root is `rootAt[publisher][latest size]`: sizes grow
///      strictly, so each `rootAt` entry is written once and that entry is always the latest
///      root. Not storing it twice saves ~5k gas per head.
contract LogAnchor {
    /// @notice A log head as returned by {latestHead}.
    /// @param size Number of leaves.
    /// @param timestamp Head timestamp from the signed head, milliseconds.
    /// @param root Merkle tree root.
    struct Head {
        uint64 size;
        uint64 timestamp;
        bytes32 root;
    }

    /// @dev One slot per publisher: latest size, latest timestamp and the number of heads.
    struct HeadState {
        uint64 size;
        uint64 timestamp;
        uint128 count;
    }

    /// @notice The member registry consulted for membership.
    MemberRegistry public immutable members;

    mapping(address publisher => HeadState) private _state;

    /// @notice Root of `publisher`'s log at `size` leaves (0 = not anchored).
    mapping(address publisher => mapping(uint64 size => bytes32 root)) public rootAt;

    /// @notice `publisher` (of member `orgId`) anchored a head; `count` is its number of heads so far.
    event HeadPublished(
        address indexed publisher, uint256 indexed orgId, uint64 size, bytes32 root, uint64 timestamp, uint256 count
    );

    /// @notice `account` is not an account of an active member.
    error NotAMember(address account);
    /// @notice The size must strictly grow per publisher.
    error SizeNotIncreasing(uint64 latest, uint64 given);
    /// @notice The timestamp must not go backwards per publisher.
    error TimestampWentBack(uint64 latest, uint64 given);
    /// @notice The root must not be zero.
    error EmptyRoot();
    /// @notice The zero address is not allowed here.
    error ZeroAddress();

    /// @param members_ The member registry.
    constructor(MemberRegistry members_) {
        if (address(members_) == address(0)) revert ZeroAddress();
        members = members_;
    }

    /// @notice Anchors a head of the caller's log.
    /// @dev The caller must be an account of an active member.
    /// @param size Number of leaves; greater than the caller's latest size (so never 0).
    /// @param root Merkle root, not zero.
    /// @param timestamp Head timestamp in ms; not less than the caller's latest timestamp.
    function publishHead(uint64 size, bytes32 root, uint64 timestamp) external {
        uint256 orgId = members.activeOrgOf(msg.sender);
        if (orgId == 0) revert NotAMember(msg.sender);
        if (root == bytes32(0)) revert EmptyRoot();
        HeadState memory s = _state[msg.sender];
        if (size <= s.size) revert SizeNotIncreasing(s.size, size);
        if (timestamp < s.timestamp) revert TimestampWentBack(s.timestamp, timestamp);
        uint128 count;
        unchecked {
            count = s.count + 1;
        }
        _state[msg.sender] = HeadState({size: size, timestamp: timestamp, count: count});
        rootAt[msg.sender][size] = root;
        emit HeadPublished(msg.sender, orgId, size, root, timestamp, count);
    }

    /// @notice The latest head of `publisher` (all zero if none).
    function latestHead(address publisher) external view returns (Head memory) {
        HeadState memory s = _state[publisher];
        return Head({size: s.size, timestamp: s.timestamp, root: rootAt[publisher][s.size]});
    }

    /// @notice Whether `publisher` anchored `root` at `size`.
    function isAnchored(address publisher, uint64 size, bytes32 root) external view returns (bool) {
        return root != bytes32(0) && rootAt[publisher][size] == root;
    }

    /// @notice Number of heads `publisher` has anchored.
    function headCount(address publisher) external view returns (uint256) {
        return _state[publisher].count;
    }
}
