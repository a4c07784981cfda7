// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MemberRegistry} from "./MemberRegistry.sol";

/// @title TradeTwin node directory
/// @notice One entry per member organisation: where its node answers, the Ed25519 key its node
///         signs inter-node HTTP requests with (RFC 9421, alg "ed25519"), the origin line and the
///         Ed25519 key of its log's signed checkpoints, and the account that anchors its heads in
///         LogAnchor. Peers read it to authenticate each other without shared secrets.
/// @dev Only an account of an ACTIVE member can write, and only its own organisation's entry.
///      Whether a member is still active is asked of MemberRegistry at use, not here.
contract NodeDirectory {
    /// @notice A member's node as returned by {nodeOf}.
    /// @param endpoint The node's base URL.
    /// @param httpSigKey Ed25519 public key of its RFC 9421 request signatures.
    /// @param logOrigin The C2SP checkpoint origin line of its log.
    /// @param checkpointKey Ed25519 public key of its signed-note checkpoints and cosignatures.
    /// @param publisher The account that set the entry (and anchors the node's heads in LogAnchor).
    /// @param updatedAt Block timestamp of the last change, seconds.
    struct NodeEntry {
        string endpoint;
        bytes32 httpSigKey;
        string logOrigin;
        bytes32 checkpointKey;
        address publisher;
        uint64 updatedAt;
    }

    /// @notice The member registry consulted for membership.
    MemberRegistry public immutable members;

    mapping(uint256 orgId => NodeEntry) private _nodes;

    /// @notice Member `orgId`'s node entry was set by `publisher`.
    event NodeSet(
        uint256 indexed orgId,
        address indexed publisher,
        string endpoint,
        bytes32 httpSigKey,
        string logOrigin,
        bytes32 checkpointKey
    );

    /// @notice `account` is not an account of an active member.
    error NotActiveMember(address account);
    /// @notice Member `orgId` has no node entry.
    error UnknownNode(uint256 orgId);
    /// @notice The endpoint must not be empty.
    error EmptyEndpoint();
    /// @notice A key must not be zero.
    error ZeroKey();

    constructor(MemberRegistry registry) {
        members = registry;
    }

    /// @notice Sets the caller's organisation's node entry (one node per organisation).
    /// @dev The caller must be an account of an active member; it becomes the entry's publisher.
    function setNode(string calldata endpoint, bytes32 httpSigKey, string calldata logOrigin, bytes32 checkpointKey)
        external
    {
        uint256 orgId = members.activeOrgOf(msg.sender);
        if (orgId == 0) revert NotActiveMember(msg.sender);
        if (bytes(endpoint).length == 0) revert EmptyEndpoint();
        if (httpSigKey == bytes32(0) || checkpointKey == bytes32(0)) revert ZeroKey();
        _nodes[orgId] = NodeEntry({
            endpoint: endpoint,
            httpSigKey: httpSigKey,
            logOrigin: logOrigin,
            checkpointKey: checkpointKey,
            publisher: msg.sender,
            updatedAt: uint64(block.timestamp)
        });
        emit NodeSet(orgId, msg.sender, endpoint, httpSigKey, logOrigin, checkpointKey);
    }

    /// @notice Member `orgId`'s node; reverts with {UnknownNode} when it has none.
    function nodeOf(uint256 orgId) external view returns (NodeEntry memory) {
        NodeEntry storage n = _nodes[orgId];
        if (n.publisher == address(0)) revert UnknownNode(orgId);
        return n;
    }
}
