// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MemberRegistry} from "./MemberRegistry.sol";

/// @notice What {ConsortiumGovernance} calls to apply a new oracle threshold (ParametricCover's
///         `setThreshold`, which admits holders of MemberRegistry's `ADMISSION_ROLE`).
interface IOracleThresholdTarget {
    function setThreshold(uint8 threshold) external;
}

/// @title TradeTwin consortium governance: admission by vote
/// @notice After genesis, the consortium changes itself only by proposals its members vote on:
///         admitting a member, removing one, suspending or reactivating one, changing a member's roles, changing the oracle
///         threshold, and changing these voting settings. One organisation, one vote: accounts
///         vote for their member, and a member votes once per proposal.
/// @dev Holds MemberRegistry's `ADMISSION_ROLE` (and `DEFAULT_ADMIN_ROLE`) after the deployment
///      hands them over; nobody else admits. The electorate of a proposal is fixed when it is made:
///      the members active then (`memberCount` bounds who may vote, `activeMemberCount` is the
///      electorate). A proposal passes with more than `approvalBps`/10000 of its electorate voting
///      yes (all of it at most), fails once that can no longer happen or when its voting period
///      ends. Because the bar is a share of the whole electorate, the outcome is final as soon as it
///      is reached; the execution delay then runs from that moment, and a passed proposal not
///      executed within `executionWindow` after it became executable expires.
contract ConsortiumGovernance {
    /// @notice What a proposal does. Payload (`data`) encodings:
    ///         AdmitMember `(address account, string name, uint256 roles)`,
    ///         RemoveMember `(uint256 orgId)`, SetRoles `(uint256 orgId, uint256 roles)`,
    ///         SetOracleThreshold `(uint8 threshold, address target)` (target 0 = the consortium
    ///         parameter only), SetSettings `(Settings)`, SetActive `(uint256 orgId, bool active)`.
    enum Action {
        AdmitMember,
        RemoveMember,
        SetRoles,
        SetOracleThreshold,
        SetSettings,
        SetActive
    }

    /// @notice Where a proposal stands.
    enum ProposalState {
        Active,
        Defeated,
        Passed,
        Executed,
        Cancelled,
        Expired
    }

    /// @notice Voting settings (seconds; basis points).
    /// @param votingPeriod How long a proposal is open for votes, > 0.
    /// @param executionDelay Wait between passing and execution (time for members to react).
    /// @param executionWindow How long a passed proposal stays executable after the delay, > 0.
    /// @param approvalBps Share of the electorate that must vote yes, exclusive, in [5000, 10000]
    ///        (5000 = a majority of the active members).
    struct Settings {
        uint64 votingPeriod;
        uint64 executionDelay;
        uint64 executionWindow;
        uint16 approvalBps;
    }

    /// @notice A proposal as returned by {proposal}.
    struct Proposal {
        Action action;
        bytes data;
        uint256 proposerOrg;
        uint64 createdAt;
        uint64 votingEndsAt;
        /// When the outcome became final (0 while open). Executable from `decidedAt + executionDelay`.
        uint64 decidedAt;
        uint64 executableAt;
        uint64 expiresAt;
        uint32 electorate;
        uint32 required;
        uint32 yes;
        uint32 no;
        ProposalState state;
    }

    /// @dev Stored proposal; the state is derived (see {state}).
    struct ProposalRecord {
        Action action;
        bool passed;
        bool executed;
        bool cancelled;
        uint64 createdAt;
        uint64 votingEndsAt;
        uint64 decidedAt;
        uint64 executionDelay;
        uint64 executionWindow;
        uint32 electorate;
        uint32 required;
        uint32 yes;
        uint32 no;
        uint256 proposerOrg;
        uint256 lastOrgId;
        bytes data;
    }

    /// @notice Vote values in {voteOf}.
    uint8 public constant VOTE_NONE = 0;
    uint8 public constant VOTE_YES = 1;
    uint8 public constant VOTE_NO = 2;

    /// @notice The member registry this contract governs.
    MemberRegistry public immutable members;

    /// @notice The consortium's oracle threshold: distinct oracle members a claim needs. Cover
    ///         contracts named in a SetOracleThreshold proposal are set to it on execution.
    uint8 public oracleThreshold;

    Settings private _settings;
    ProposalRecord[] private _proposals;
    mapping(uint256 proposalId => mapping(uint256 orgId => uint8)) private _votes;

    /// @notice Proposal `proposalId` (ids from 1) was made by member `proposerOrg`.
    event ProposalCreated(
        uint256 indexed proposalId,
        uint256 indexed proposerOrg,
        Action action,
        bytes data,
        uint64 votingEndsAt,
        uint32 electorate,
        uint32 required
    );
    /// @notice Member `orgId` voted through `voter`.
    event VoteCast(uint256 indexed proposalId, uint256 indexed orgId, address indexed voter, bool support);
    /// @notice The outcome of `proposalId` became final; if it passed, it is executable from `executableAt`.
    event ProposalDecided(uint256 indexed proposalId, bool passed, uint64 executableAt);
    /// @notice Proposal `proposalId` was executed.
    event ProposalExecuted(uint256 indexed proposalId);
    /// @notice Proposal `proposalId` was withdrawn by its proposer.
    event ProposalCancelled(uint256 indexed proposalId);
    /// @notice The voting settings changed.
    event SettingsChanged(uint64 votingPeriod, uint64 executionDelay, uint64 executionWindow, uint16 approvalBps);
    /// @notice The oracle threshold changed; `target` is the cover contract set too (0 = none).
    event OracleThresholdChanged(uint8 previous, uint8 threshold, address target);

    /// @notice `account` is not an account of an active member.
    error NotAMember(address account);
    /// @notice Member `orgId` was admitted after proposal `proposalId` was made: not in its electorate.
    error NotInElectorate(uint256 proposalId, uint256 orgId);
    /// @notice Member `orgId` already voted on `proposalId`.
    error AlreadyVoted(uint256 proposalId, uint256 orgId);
    /// @notice No proposal has id `proposalId`.
    error UnknownProposal(uint256 proposalId);
    /// @notice Proposal `proposalId` is `state`, which does not allow this.
    error WrongProposalState(uint256 proposalId, ProposalState state);
    /// @notice Proposal `proposalId` passed but is executable only from `executableAt` (now `now_`).
    error ExecutionTooEarly(uint256 proposalId, uint64 executableAt, uint64 now_);
    /// @notice Only an account of the proposing member may cancel.
    error NotProposer(address caller, uint256 proposalId);
    /// @notice Settings out of range (votingPeriod and executionWindow > 0, approvalBps in [5000, 10000]).
    error InvalidSettings();
    /// @notice An oracle threshold must be at least 1.
    error InvalidThreshold(uint8 threshold);
    /// @notice A member name must not be empty.
    error EmptyName();
    /// @notice A member must have at least one role.
    error NoRoles();
    /// @notice The zero address is not allowed here.
    error ZeroAddress();
    /// @notice No member has id `orgId`.
    error UnknownOrg(uint256 orgId);

    /// @param members_ The registry; the deployment hands its `ADMISSION_ROLE` to this contract.
    /// @param settings_ Initial voting settings.
    /// @param oracleThreshold_ Initial oracle threshold, ≥ 1.
    constructor(MemberRegistry members_, Settings memory settings_, uint8 oracleThreshold_) {
        if (address(members_) == address(0)) revert ZeroAddress();
        if (oracleThreshold_ == 0) revert InvalidThreshold(oracleThreshold_);
        members = members_;
        _setSettings(settings_);
        oracleThreshold = oracleThreshold_;
        emit OracleThresholdChanged(0, oracleThreshold_, address(0));
    }

    // --------------------------------------------------------------- proposals

    /// @notice Proposes admitting a new member with its first account.
    /// @return proposalId The new proposal.
    function proposeAdmission(address account, string calldata name, uint256 roles) external returns (uint256) {
        if (account == address(0)) revert ZeroAddress();
        if (bytes(name).length == 0) revert EmptyName();
        if (roles == 0) revert NoRoles();
        return _propose(Action.AdmitMember, abi.encode(account, name, roles));
    }

    /// @notice Proposes removing member `orgId` for good (its devices are refused from the removal on).
    function proposeRemoval(uint256 orgId) external returns (uint256) {
        _requireKnownOrg(orgId);
        return _propose(Action.RemoveMember, abi.encode(orgId));
    }

    /// @notice Proposes replacing the roles of member `orgId`.
    function proposeRoles(uint256 orgId, uint256 roles) external returns (uint256) {
        _requireKnownOrg(orgId);
        if (roles == 0) revert NoRoles();
        return _propose(Action.SetRoles, abi.encode(orgId, roles));
    }

    /// @notice Proposes suspending (`active` false) or reactivating member `orgId`.
    function proposeStatus(uint256 orgId, bool active) external returns (uint256) {
        _requireKnownOrg(orgId);
        return _propose(Action.SetActive, abi.encode(orgId, active));
    }

    /// @notice Proposes a new oracle threshold, applied to `target` too (a ParametricCover; 0 = none).
    function proposeOracleThreshold(uint8 threshold, address target) external returns (uint256) {
        if (threshold == 0) revert InvalidThreshold(threshold);
        return _propose(Action.SetOracleThreshold, abi.encode(threshold, target));
    }

    /// @notice Proposes new voting settings (they apply to proposals made after execution).
    function proposeSettings(Settings calldata settings_) external returns (uint256) {
        _validateSettings(settings_);
        return _propose(Action.SetSettings, abi.encode(settings_));
    }

    // ------------------------------------------------------------ vote, execute

    /// @notice Casts the caller's member's vote on `proposalId`.
    /// @dev The caller must be an account of an active member in the proposal's electorate that has
    ///      not voted yet, while the proposal is Active.
    function vote(uint256 proposalId, bool support) external {
        ProposalRecord storage p = _proposal(proposalId);
        ProposalState s = _state(p);
        if (s != ProposalState.Active) revert WrongProposalState(proposalId, s);
        uint256 orgId = members.activeOrgOf(msg.sender);
        if (orgId == 0) revert NotAMember(msg.sender);
        if (orgId > p.lastOrgId) revert NotInElectorate(proposalId, orgId);
        if (_votes[proposalId][orgId] != VOTE_NONE) revert AlreadyVoted(proposalId, orgId);
        _votes[proposalId][orgId] = support ? VOTE_YES : VOTE_NO;
        if (support) ++p.yes;
        else ++p.no;
        emit VoteCast(proposalId, orgId, msg.sender, support);

        if (p.yes >= p.required) {
            _decide(proposalId, p, true);
        } else if (p.no > p.electorate - p.required) {
            _decide(proposalId, p, false);
        }
    }

    /// @notice Executes a passed proposal once its execution delay is over (anyone may call).
    function execute(uint256 proposalId) external {
        ProposalRecord storage p = _proposal(proposalId);
        ProposalState s = _state(p);
        if (s != ProposalState.Passed) revert WrongProposalState(proposalId, s);
        uint64 executableAt = p.decidedAt + p.executionDelay;
        if (block.timestamp < executableAt) revert ExecutionTooEarly(proposalId, executableAt, uint64(block.timestamp));
        p.executed = true;
        _execute(p.action, p.data);
        emit ProposalExecuted(proposalId);
    }

    /// @notice Withdraws a proposal not executed yet; only an account of the proposing member.
    function cancel(uint256 proposalId) external {
        ProposalRecord storage p = _proposal(proposalId);
        ProposalState s = _state(p);
        if (s != ProposalState.Active && s != ProposalState.Passed) revert WrongProposalState(proposalId, s);
        if (members.orgOf(msg.sender) != p.proposerOrg) revert NotProposer(msg.sender, proposalId);
        p.cancelled = true;
        emit ProposalCancelled(proposalId);
    }

    // ------------------------------------------------------------------- views

    /// @notice Proposal `proposalId` with its current state.
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        ProposalRecord storage p = _proposal(proposalId);
        uint64 executableAt = p.passed ? p.decidedAt + p.executionDelay : 0;
        return Proposal({
            action: p.action,
            data: p.data,
            proposerOrg: p.proposerOrg,
            createdAt: p.createdAt,
            votingEndsAt: p.votingEndsAt,
            decidedAt: p.decidedAt,
            executableAt: executableAt,
            expiresAt: p.passed ? executableAt + p.executionWindow : 0,
            electorate: p.electorate,
            required: p.required,
            yes: p.yes,
            no: p.no,
            state: _state(p)
        });
    }

    /// @notice The state of proposal `proposalId`.
    function state(uint256 proposalId) external view returns (ProposalState) {
        return _state(_proposal(proposalId));
    }

    /// @notice How member `orgId` voted on `proposalId`: 0 none, 1 yes, 2 no.
    function voteOf(uint256 proposalId, uint256 orgId) external view returns (uint8) {
        _proposal(proposalId);
        return _votes[proposalId][orgId];
    }

    /// @notice Number of proposals ever made (the highest proposal id).
    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    /// @notice The voting settings in force.
    function settings() external view returns (Settings memory) {
        return _settings;
    }

    // --------------------------------------------------------------- internals

    /// @dev Records a proposal by the caller's active member; fixes its electorate and bar.
    function _propose(Action action, bytes memory data) internal returns (uint256 proposalId) {
        uint256 orgId = members.activeOrgOf(msg.sender);
        if (orgId == 0) revert NotAMember(msg.sender);
        uint32 electorate = uint32(members.activeMemberCount());
        uint32 required = uint32((uint256(electorate) * _settings.approvalBps) / 10_000 + 1);
        if (required > electorate) required = electorate;
        ProposalRecord storage p = _proposals.push();
        proposalId = _proposals.length;
        p.action = action;
        p.data = data;
        p.proposerOrg = orgId;
        p.lastOrgId = members.memberCount();
        p.createdAt = uint64(block.timestamp);
        p.votingEndsAt = uint64(block.timestamp) + _settings.votingPeriod;
        p.executionDelay = _settings.executionDelay;
        p.executionWindow = _settings.executionWindow;
        p.electorate = electorate;
        p.required = required;
        emit ProposalCreated(proposalId, orgId, action, data, p.votingEndsAt, electorate, required);
    }

    /// @dev Makes the outcome final now.
    function _decide(uint256 proposalId, ProposalRecord storage p, bool passed) internal {
        p.decidedAt = uint64(block.timestamp);
        p.passed = passed;
        emit ProposalDecided(proposalId, passed, passed ? p.decidedAt + p.executionDelay : 0);
    }

    /// @dev Applies a passed proposal's action.
    function _execute(Action action, bytes memory data) internal {
        if (action == Action.AdmitMember) {
            (address account, string memory name, uint256 roles) = abi.decode(data, (address, string, uint256));
            members.admitMember(account, name, roles);
        } else if (action == Action.RemoveMember) {
            members.removeMember(abi.decode(data, (uint256)));
        } else if (action == Action.SetRoles) {
            (uint256 orgId, uint256 roles) = abi.decode(data, (uint256, uint256));
            members.setRoles(orgId, roles);
        } else if (action == Action.SetOracleThreshold) {
            (uint8 threshold, address target) = abi.decode(data, (uint8, address));
            uint8 previous = oracleThreshold;
            oracleThreshold = threshold;
            if (target != address(0)) IOracleThresholdTarget(target).setThreshold(threshold);
            emit OracleThresholdChanged(previous, threshold, target);
        } else if (action == Action.SetSettings) {
            _setSettings(abi.decode(data, (Settings)));
        } else {
            (uint256 orgId, bool active) = abi.decode(data, (uint256, bool));
            members.setActive(orgId, active);
        }
    }

    /// @dev Validates and stores settings.
    function _setSettings(Settings memory s) internal {
        _validateSettings(s);
        _settings = s;
        emit SettingsChanged(s.votingPeriod, s.executionDelay, s.executionWindow, s.approvalBps);
    }

    function _validateSettings(Settings memory s) internal pure {
        if (s.votingPeriod == 0 || s.executionWindow == 0 || s.approvalBps < 5000 || s.approvalBps > 10_000) {
            revert InvalidSettings();
        }
    }

    /// @dev The derived state: cancelled/executed flags first, then the vote and the clock.
    function _state(ProposalRecord storage p) internal view returns (ProposalState) {
        if (p.cancelled) return ProposalState.Cancelled;
        if (p.executed) return ProposalState.Executed;
        if (p.decidedAt == 0) {
            return block.timestamp < p.votingEndsAt ? ProposalState.Active : ProposalState.Defeated;
        }
        if (!p.passed) return ProposalState.Defeated;
        if (block.timestamp >= uint256(p.decidedAt) + p.executionDelay + p.executionWindow) return ProposalState.Expired;
        return ProposalState.Passed;
    }

    function _proposal(uint256 proposalId) internal view returns (ProposalRecord storage) {
        if (proposalId == 0 || proposalId > _proposals.length) revert UnknownProposal(proposalId);
        return _proposals[proposalId - 1];
    }

    function _requireKnownOrg(uint256 orgId) internal view {
        if (orgId == 0 || orgId > members.memberCount()) revert UnknownOrg(orgId);
    }
}
