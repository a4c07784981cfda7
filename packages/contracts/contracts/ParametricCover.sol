// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LogAnchor} from "./LogAnchor.sol";
import {MemberRegistry} from "./MemberRegistry.sol";

/// @title TradeTwin parametric cold-chain cover
/// @notice Insurers (members with INSURER) deposit capital in the settlement token and offer
///         policies; the holder binds a policy by paying the premium, which locks `sumInsured`
///         of the insurer's free capital. A temperature excursion attested by at least
///         `threshold` distinct ORACLE members (the threshold in force when the policy was
///         offered; EIP-712 signatures over an
///         `ExcursionAttestation` whose evidence is anchored in `LogAnchor`) pays the holder
///         automatically; the rest of the lock returns to the insurer. A policy pays at most
///         once; an unclaimed policy can be expired by anyone after its claim window, so
///         collateral is never locked for ever.
/// @dev Each insurer member has its own capital account (`free`, `locked`). Invariant (for a
///      token without transfer fees or rebasing, which transfers refuse by checking balances):
///      `token.balanceOf(this) == Σ free + Σ locked` (tokens sent here directly are not
///      credited to anyone). Times are seconds; temperatures centi-degrees Celsius.
///      An account's `free + locked` always fits 128 bits (checked when it grows), so releasing
///      a lock can never overflow and a bound policy can always be expired.
///      Oracle members are counted in a bitmap by member id (bit `orgId`), so oracle members
///      must have ids 1..255.
contract ParametricCover is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role bit a member needs to deposit capital and offer policies.
    uint256 public constant INSURER = 8;
    /// @notice Role bit a member needs for its signatures to count as attestations.
    uint256 public constant ORACLE = 32;
    /// @notice How long after `expiresAt` a bound policy can still be claimed, seconds (7 days).
    uint64 public constant CLAIM_WINDOW = 7 days;
    /// @notice `keccak256` of the EIP-712 type string of {ExcursionAttestation}.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "ExcursionAttestation(uint256 policyId,bytes32 excursionId,uint64 startedAt,uint64 endedAt,uint32 minutesOutside,int32 peakCentiC,address logPublisher,uint64 logSize,bytes32 logRoot,uint256 nonce,uint64 deadline)"
    );

    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_ORACLE_ORG = 255;

    /// @notice Life cycle of a policy: None → Offered → Bound → Paid | Expired; Offered →
    ///         Cancelled | Expired.
    enum PolicyState {
        None,
        Offered,
        Bound,
        Paid,
        Expired,
        Cancelled
    }

    /// @notice The terms an insurer offers.
    /// @param holder The account that binds (pays the premium) and is paid on a claim.
    /// @param shipmentId The insured shipment (opaque to this contract).
    /// @param premium Paid by the holder at binding, credited to the insurer's free capital.
    /// @param sumInsured Maximum payout, locked from the insurer's free capital at binding.
    /// @param minCentiC Lowest acceptable temperature, centi-°C (exclusive bound of an excursion).
    /// @param maxCentiC Highest acceptable temperature, centi-°C; greater than `minCentiC`.
    /// @param toleranceMinutes Minutes outside [min, max] that pay nothing.
    /// @param catastrophicMinutes Minutes outside from which the full sum is paid; > tolerance.
    /// @param payoutPerHourBps Share of `sumInsured` paid per started hour beyond the tolerance, ≤ 10000.
    /// @param expiresAt End of cover, seconds: an excursion must end by then.
    /// @param logPublisher The log (publisher account in LogAnchor) the evidence must be anchored in.
    struct PolicyTerms {
        address holder;
        bytes32 shipmentId;
        uint256 premium;
        uint256 sumInsured;
        int32 minCentiC;
        int32 maxCentiC;
        uint32 toleranceMinutes;
        uint32 catastrophicMinutes;
        uint16 payoutPerHourBps;
        uint64 expiresAt;
        address logPublisher;
    }

    /// @notice A policy as returned by {policy}.
    /// @param terms The offered terms.
    /// @param insurerOrg The insurer member whose capital backs the policy.
    /// @param state Life-cycle state.
    /// @param boundAt Block timestamp of binding, seconds (0 until bound): cover starts here.
    /// @param threshold Distinct oracle members a claim needs: the contract's threshold when
    ///        the policy was offered (later changes do not alter agreed terms).
    struct Policy {
        PolicyTerms terms;
        uint256 insurerOrg;
        PolicyState state;
        uint64 boundAt;
        uint8 threshold;
    }

    /// @notice A temperature excursion, signed by oracle members (EIP-712, domain
    ///         `{name: "TradeTwin ParametricCover", version: "1", chainId, verifyingContract: this}`).
    /// @param policyId The policy claimed.
    /// @param excursionId keccak256 of the excursion's canonical evidence (shipment, device,
    ///        first and last leaf index).
    /// @param startedAt First reading outside the range, seconds.
    /// @param endedAt Last reading outside the range (or end of observation), seconds.
    /// @param minutesOutside Minutes spent outside [minCentiC, maxCentiC].
    /// @param peakCentiC The most extreme temperature observed, centi-°C.
    /// @param logPublisher The publisher account whose log holds the evidence.
    /// @param logSize Size of the anchored log head that includes the evidence.
    /// @param logRoot Root of that head.
    /// @param nonce Single use per cover contract.
    /// @param deadline The attestation is refused after this block timestamp, seconds.
    struct ExcursionAttestation {
        uint256 policyId;
        bytes32 excursionId;
        uint64 startedAt;
        uint64 endedAt;
        uint32 minutesOutside;
        int32 peakCentiC;
        address logPublisher;
        uint64 logSize;
        bytes32 logRoot;
        uint256 nonce;
        uint64 deadline;
    }

    /// @dev Packed storage of a policy (5 slots). Amounts are stored as uint128 (checked).
    struct PolicyRecord {
        // slot 0: read by every state transition
        address holder;
        uint64 expiresAt;
        PolicyState state;
        uint16 payoutPerHourBps;
        // slot 1
        address logPublisher;
        int32 minCentiC;
        int32 maxCentiC;
        uint32 toleranceMinutes;
        // slot 2
        uint128 premium;
        uint128 sumInsured;
        // slot 3
        bytes32 shipmentId;
        // slot 4
        uint64 insurerOrg;
        uint64 boundAt;
        uint32 catastrophicMinutes;
        uint8 threshold;
    }

    /// @dev One slot per insurer member.
    struct CapitalAccount {
        uint128 free;
        uint128 locked;
    }

    /// @notice The member registry (membership, roles, governance).
    MemberRegistry public immutable members;
    /// @notice The log anchor evidence must be anchored in.
    LogAnchor public immutable anchor;
    /// @notice The settlement token (capital, premiums, payouts).
    IERC20 public immutable token;
    /// @notice Number of distinct oracle members whose signatures a claim on a policy offered
    ///         from now on needs (≥ 1); each policy keeps the value of its offer.
    uint8 public threshold;

    /// @notice Whether an attestation nonce has been used by a paid claim.
    mapping(uint256 nonce => bool) public nonceUsed;

    mapping(uint256 orgId => CapitalAccount) private _capital;
    mapping(uint256 policyId => PolicyRecord) private _policies;
    uint256 private _policyCount;

    /// @notice Insurer member `orgId` deposited `amount` as free capital.
    event CapitalDeposited(uint256 indexed orgId, uint256 amount);
    /// @notice Insurer member `orgId` withdrew `amount` of free capital.
    event CapitalWithdrawn(uint256 indexed orgId, uint256 amount);
    /// @notice Insurer member `insurerOrg` offered policy `policyId` to `holder`.
    event PolicyOffered(uint256 indexed policyId, uint256 indexed insurerOrg, address indexed holder, bytes32 shipmentId);
    /// @notice The insurer withdrew offer `policyId` before it was bound.
    event OfferCancelled(uint256 indexed policyId);
    /// @notice `holder` bound policy `policyId`, paying `premium` to member `insurerOrg`, whose
    ///         free capital now backs `sumInsured` (locked).
    event PolicyBound(
        uint256 indexed policyId, uint256 indexed insurerOrg, address indexed holder, uint256 premium, uint256 sumInsured
    );
    /// @notice Policy `policyId` paid `amount` to its holder for excursion `excursionId`,
    ///         attested by the oracle members whose bits (bit `orgId`) are set in `orgBitmap`.
    event ClaimPaid(uint256 indexed policyId, bytes32 indexed excursionId, uint256 amount, uint256 orgBitmap);
    /// @notice Attestation nonce `nonce` was consumed by the claim on `policyId`.
    event AttestationNonceConsumed(uint256 indexed nonce, uint256 indexed policyId);
    /// @notice Policy `policyId` expired; `released` returned from locked to free capital.
    event PolicyExpired(uint256 indexed policyId, uint256 released);
    /// @notice The number of oracle members a claim needs changed.
    event ThresholdChanged(uint8 previous, uint8 threshold);

    /// @notice The zero address is not allowed here.
    error ZeroAddress();
    /// @notice A threshold must be at least 1.
    error InvalidThreshold(uint8 threshold);
    /// @notice `account` is not an account of an (active, where required) member.
    error NotAMember(address account);
    /// @notice `account`'s member lacks `role`.
    error MissingRole(address account, uint256 role);
    /// @notice `caller` does not hold MemberRegistry's `ADMISSION_ROLE`.
    error NotGovernance(address caller);
    /// @notice Amounts must not be zero.
    error ZeroAmount();
    /// @notice The token moved `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error TransferShortfall(uint256 expected, uint256 received);
    /// @notice A capital account's free + locked would exceed 2^128 - 1 (`total`).
    error CapitalTooLarge(uint256 total);
    /// @notice Free capital `available` is less than `needed`.
    error Underfunded(uint256 available, uint256 needed);
    /// @notice `minCentiC` must be below `maxCentiC`.
    error InvalidTemperatureRange(int32 minCentiC, int32 maxCentiC);
    /// @notice `toleranceMinutes` must be below `catastrophicMinutes`.
    error InvalidDurations(uint32 toleranceMinutes, uint32 catastrophicMinutes);
    /// @notice `sumInsured` must not be zero.
    error ZeroSumInsured();
    /// @notice `expiresAt` must be after the current block timestamp `now_`.
    error ExpiryNotInFuture(uint64 expiresAt, uint64 now_);
    /// @notice `payoutPerHourBps` must be at most 10000.
    error PayoutRateTooHigh(uint16 payoutPerHourBps);
    /// @notice No policy has id `policyId`.
    error UnknownPolicy(uint256 policyId);
    /// @notice Policy `policyId` is in `state`, which does not allow the call.
    error WrongPolicyState(uint256 policyId, PolicyState state);
    /// @notice `caller` is not the holder of `policyId`.
    error NotPolicyHolder(address caller, uint256 policyId);
    /// @notice `caller` is not an account of the insurer of `policyId`.
    error NotPolicyInsurer(address caller, uint256 policyId);
    /// @notice Offer `policyId` expired at `expiresAt` and can no longer be bound.
    error OfferExpired(uint256 policyId, uint64 expiresAt);
    /// @notice Policy `policyId` can only be expired after `expirableAfter`.
    error TooEarlyToExpire(uint256 policyId, uint256 expirableAfter);
    /// @notice The claim window of `policyId` closed at `closedAt`.
    error ClaimWindowClosed(uint256 policyId, uint256 closedAt);
    /// @notice The excursion ends before it starts.
    error ExcursionEndsBeforeStart(uint64 startedAt, uint64 endedAt);
    /// @notice The excursion ends after the current block timestamp `now_`.
    error ExcursionInFuture(uint64 endedAt, uint64 now_);
    /// @notice The excursion [startedAt, endedAt] is not within the cover [coverFrom, coverTo].
    error ExcursionOutsideCover(uint64 startedAt, uint64 endedAt, uint64 coverFrom, uint64 coverTo);
    /// @notice The attested peak lies within the policy's acceptable range.
    error PeakWithinRange(int32 peakCentiC, int32 minCentiC, int32 maxCentiC);
    /// @notice The attestation's deadline has passed (block timestamp `now_`).
    error AttestationExpired(uint64 deadline, uint64 now_);
    /// @notice The attestation nonce was already used.
    error NonceUsed(uint256 nonce);
    /// @notice The evidence is in another log than the policy names.
    error WrongLogPublisher(address expected, address given);
    /// @notice The evidence head is not anchored in LogAnchor.
    error EvidenceNotAnchored(address logPublisher, uint64 logSize, bytes32 logRoot);
    /// @notice The excursion does not exceed the tolerance.
    error BelowTolerance(uint32 minutesOutside, uint32 toleranceMinutes);
    /// @notice The payout for `minutesOutside` rounds to zero (e.g. `payoutPerHourBps` 0 below catastrophic).
    error NoPayoutDue(uint256 policyId, uint32 minutesOutside);
    /// @notice `signer` is not an account of an active ORACLE member.
    error NotAnOracle(address signer);
    /// @notice A second signature from an account of member `orgId`.
    error DuplicateOrg(uint256 orgId);
    /// @notice Oracle member ids must be at most 255 (they are counted in a bitmap).
    error OrgIdTooLarge(uint256 orgId);
    /// @notice Member `orgId` holds the policy and cannot attest its own claim.
    error HolderOrgCannotAttest(uint256 orgId);
    /// @notice `have` distinct oracle members signed; `need` are required.
    error NotEnoughAttestations(uint256 have, uint256 need);

    /// @param members_ The member registry.
    /// @param anchor_ The log anchor.
    /// @param token_ The settlement token.
    /// @param threshold_ Distinct oracle members a claim needs, ≥ 1.
    constructor(MemberRegistry members_, LogAnchor anchor_, IERC20 token_, uint8 threshold_)
        EIP712("TradeTwin ParametricCover", "1")
    {
        if (address(members_) == address(0) || address(anchor_) == address(0) || address(token_) == address(0)) {
            revert ZeroAddress();
        }
        if (threshold_ == 0) revert InvalidThreshold(threshold_);
        members = members_;
        anchor = anchor_;
        token = token_;
        threshold = threshold_;
        emit ThresholdChanged(0, threshold_);
    }

    // ------------------------------------------------------------------ capital

    /// @notice Deposits `amount` of the token (pulled with transferFrom) as free capital of the
    ///         caller's member.
    /// @dev The caller must be an account of an active member with INSURER and have approved
    ///      this contract.
    /// @param amount Amount in the token's smallest unit, not zero.
    function deposit(uint256 amount) external nonReentrant {
        uint256 orgId = _requireActiveRole(msg.sender, INSURER);
        if (amount == 0) revert ZeroAmount();
        CapitalAccount storage c = _capital[orgId];
        uint256 free = uint256(c.free) + amount;
        _checkTotal(free + c.locked);
        c.free = uint128(free);
        emit CapitalDeposited(orgId, amount);
        _pullExact(msg.sender, amount);
    }

    /// @notice Withdraws `amount` of the caller's member's free capital to the caller.
    /// @dev Any account of the member may withdraw, also while the member is suspended or no
    ///      longer holds INSURER: capital belongs to the member. Locked capital cannot be withdrawn.
    /// @param amount Amount in the token's smallest unit, not zero, at most the free capital.
    function withdraw(uint256 amount) external nonReentrant {
        uint256 orgId = members.orgOf(msg.sender);
        if (orgId == 0) revert NotAMember(msg.sender);
        if (amount == 0) revert ZeroAmount();
        CapitalAccount storage c = _capital[orgId];
        uint256 free = c.free;
        if (amount > free) revert Underfunded(free, amount);
        unchecked {
            c.free = uint128(free - amount);
        }
        emit CapitalWithdrawn(orgId, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- policies

    /// @notice Offers a policy to `terms.holder`, backed by the caller's member's capital.
    /// @dev The caller must be an account of an active member with INSURER. Capital is only
    ///      needed at binding.
    /// @param terms min < max, tolerance < catastrophic, sumInsured > 0 (≤ 2^128-1, as the
    ///        premium), expiresAt in the future, payoutPerHourBps ≤ 10000, holder and
    ///        logPublisher not zero.
    /// @return policyId The new policy's id (ids start at 1), state Offered.
    function offerPolicy(PolicyTerms calldata terms) external returns (uint256 policyId) {
        uint256 orgId = _requireActiveRole(msg.sender, INSURER);
        if (terms.holder == address(0) || terms.logPublisher == address(0)) revert ZeroAddress();
        if (terms.minCentiC >= terms.maxCentiC) revert InvalidTemperatureRange(terms.minCentiC, terms.maxCentiC);
        if (terms.toleranceMinutes >= terms.catastrophicMinutes) {
            revert InvalidDurations(terms.toleranceMinutes, terms.catastrophicMinutes);
        }
        if (terms.sumInsured == 0) revert ZeroSumInsured();
        if (terms.expiresAt <= block.timestamp) revert ExpiryNotInFuture(terms.expiresAt, uint64(block.timestamp));
        if (terms.payoutPerHourBps > BPS) revert PayoutRateTooHigh(terms.payoutPerHourBps);

        policyId = ++_policyCount;
        PolicyRecord storage p = _policies[policyId];
        p.holder = terms.holder;
        p.expiresAt = terms.expiresAt;
        p.state = PolicyState.Offered;
        p.payoutPerHourBps = terms.payoutPerHourBps;
        p.logPublisher = terms.logPublisher;
        p.minCentiC = terms.minCentiC;
        p.maxCentiC = terms.maxCentiC;
        p.toleranceMinutes = terms.toleranceMinutes;
        p.premium = terms.premium.toUint128();
        p.sumInsured = terms.sumInsured.toUint128();
        p.shipmentId = terms.shipmentId;
        p.insurerOrg = orgId.toUint64();
        p.catastrophicMinutes = terms.catastrophicMinutes;
        p.threshold = threshold;
        emit PolicyOffered(policyId, orgId, terms.holder, terms.shipmentId);
    }

    /// @notice Withdraws an offer that has not been bound (Offered → Cancelled).
    /// @dev Callable by any account of the insurer member, also while it is suspended.
    /// @param policyId An Offered policy.
    function cancelOffer(uint256 policyId) external {
        PolicyRecord storage p = _policyRecord(policyId);
        if (members.orgOf(msg.sender) != p.insurerOrg) revert NotPolicyInsurer(msg.sender, policyId);
        if (p.state != PolicyState.Offered) revert WrongPolicyState(policyId, p.state);
        p.state = PolicyState.Cancelled;
        emit OfferCancelled(policyId);
    }

    /// @notice Binds an offered policy: the holder pays the premium to the insurer's free
    ///         capital and `sumInsured` of the insurer's free capital is locked (Offered → Bound).
    ///         Cover starts at this block's timestamp.
    /// @dev Only the holder, before `expiresAt`, with this contract approved for the premium.
    ///      The lock must be covered by the insurer's free capital before the premium is
    ///      credited (the premium does not count towards its own cover).
    /// @param policyId An Offered policy.
    function bindPolicy(uint256 policyId) external nonReentrant {
        PolicyRecord storage p = _policyRecord(policyId);
        address holder = p.holder;
        if (msg.sender != holder) revert NotPolicyHolder(msg.sender, policyId);
        if (p.state != PolicyState.Offered) revert WrongPolicyState(policyId, p.state);
        uint64 expiresAt = p.expiresAt;
        if (block.timestamp >= expiresAt) revert OfferExpired(policyId, expiresAt);
        uint256 insurerOrg = p.insurerOrg;
        uint256 premium = p.premium;
        uint256 sumInsured = p.sumInsured;
        CapitalAccount storage c = _capital[insurerOrg];
        uint256 free = c.free;
        if (free < sumInsured) revert Underfunded(free, sumInsured);

        uint256 locked = uint256(c.locked) + sumInsured;
        free = free - sumInsured + premium;
        _checkTotal(free + locked);

        p.state = PolicyState.Bound;
        p.boundAt = uint64(block.timestamp);
        c.free = uint128(free);
        c.locked = uint128(locked);
        emit PolicyBound(policyId, insurerOrg, holder, premium, sumInsured);
        if (premium != 0) _pullExact(holder, premium);
    }

    /// @notice Pays a bound policy on an excursion attested by at least the policy's
    ///         `threshold` of distinct oracle members (Bound → Paid). The payout goes to the holder; the rest of the
    ///         lock returns to the insurer's free capital.
    /// @dev Callable by anyone (an aggregator). Checks, in order: the policy is Bound; the claim
    ///      window is open (`block.timestamp <= expiresAt + CLAIM_WINDOW`); the attestation is
    ///      fresh (`deadline >= block.timestamp`) and its nonce unused; the excursion is over
    ///      (`endedAt <= block.timestamp`) and lies within the cover
    ///      (`boundAt <= startedAt <= endedAt <= expiresAt`) with its peak outside
    ///      [minCentiC, maxCentiC] and more than `toleranceMinutes` outside; the evidence is in
    ///      the policy's log and anchored; then every signature (OpenZeppelin ECDSA, low-s,
    ///      65 bytes) is from an account of an active ORACLE member other than the holder's,
    ///      one per member, and at least the policy's `threshold` members signed.
    /// @param a The attestation (see {hashAttestation}).
    /// @param signatures 65-byte `r‖s‖v` signatures over `hashAttestation(a)`, in any order.
    /// @return amount The amount paid to the holder.
    function claim(ExcursionAttestation calldata a, bytes[] calldata signatures)
        external
        nonReentrant
        returns (uint256 amount)
    {
        uint256 policyId = a.policyId;
        PolicyRecord storage p = _policyRecord(policyId);
        if (p.state != PolicyState.Bound) revert WrongPolicyState(policyId, p.state);
        _checkAttestation(p, a);
        address holder = p.holder;
        uint256 orgBitmap = _attesters(hashAttestation(a), signatures, members.orgOf(holder), p.threshold);

        uint256 sumInsured = p.sumInsured;
        amount = _payout(sumInsured, p.toleranceMinutes, p.catastrophicMinutes, p.payoutPerHourBps, a.minutesOutside);
        if (amount == 0) revert NoPayoutDue(policyId, a.minutesOutside);

        p.state = PolicyState.Paid;
        nonceUsed[a.nonce] = true;
        CapitalAccount storage c = _capital[p.insurerOrg];
        c.locked -= uint128(sumInsured);
        c.free += uint128(sumInsured - amount);
        emit AttestationNonceConsumed(a.nonce, policyId);
        emit ClaimPaid(policyId, a.excursionId, amount, orgBitmap);
        token.safeTransfer(holder, amount);
    }

    /// @notice Ends a policy that can no longer pay: an Offered policy after `expiresAt`, a
    ///         Bound one after `expiresAt + CLAIM_WINDOW` (its lock returns to free capital).
    /// @dev Callable by anyone, so collateral is never locked for ever.
    /// @param policyId An Offered or Bound policy.
    function expire(uint256 policyId) external {
        PolicyRecord storage p = _policyRecord(policyId);
        PolicyState state = p.state;
        uint256 expirableAfter; // uint256: no overflow, whatever expiresAt
        if (state == PolicyState.Offered) {
            expirableAfter = p.expiresAt;
        } else if (state == PolicyState.Bound) {
            expirableAfter = uint256(p.expiresAt) + CLAIM_WINDOW;
        } else {
            revert WrongPolicyState(policyId, state);
        }
        if (block.timestamp <= expirableAfter) revert TooEarlyToExpire(policyId, expirableAfter);

        p.state = PolicyState.Expired;
        uint128 released;
        if (state == PolicyState.Bound) {
            released = p.sumInsured;
            CapitalAccount storage c = _capital[p.insurerOrg];
            c.locked -= released;
            c.free += released;
        }
        emit PolicyExpired(policyId, released);
    }

    // -------------------------------------------------------------- governance

    /// @notice Sets the number of distinct oracle members a claim needs.
    /// @dev Only holders of MemberRegistry's `ADMISSION_ROLE` (the governance seam). Applies to
    ///      policies offered from now on; existing policies keep the threshold of their offer
    ///      (to take a compromised oracle out at once, suspend its member).
    /// @param threshold_ At least 1.
    function setThreshold(uint8 threshold_) external {
        if (!members.hasRole(members.ADMISSION_ROLE(), msg.sender)) revert NotGovernance(msg.sender);
        if (threshold_ == 0) revert InvalidThreshold(threshold_);
        uint8 previous = threshold;
        threshold = threshold_;
        emit ThresholdChanged(previous, threshold_);
    }

    // ------------------------------------------------------------------- views

    /// @notice Policy `policyId`; reverts with {UnknownPolicy} if it does not exist.
    function policy(uint256 policyId) external view returns (Policy memory) {
        PolicyRecord storage p = _policyRecord(policyId);
        return Policy({
            terms: PolicyTerms({
                holder: p.holder,
                shipmentId: p.shipmentId,
                premium: p.premium,
                sumInsured: p.sumInsured,
                minCentiC: p.minCentiC,
                maxCentiC: p.maxCentiC,
                toleranceMinutes: p.toleranceMinutes,
                catastrophicMinutes: p.catastrophicMinutes,
                payoutPerHourBps: p.payoutPerHourBps,
                expiresAt: p.expiresAt,
                logPublisher: p.logPublisher
            }),
            insurerOrg: p.insurerOrg,
            state: p.state,
            boundAt: p.boundAt,
            threshold: p.threshold
        });
    }

    /// @notice Number of policies ever offered (the highest policy id).
    function policyCount() external view returns (uint256) {
        return _policyCount;
    }

    /// @notice Capital account of insurer member `orgId` (zero for any other id).
    /// @return free Capital that can be withdrawn or locked by a binding.
    /// @return locked Capital backing bound policies.
    function capital(uint256 orgId) external view returns (uint256 free, uint256 locked) {
        CapitalAccount storage c = _capital[orgId];
        return (c.free, c.locked);
    }

    /// @notice What a claim on `policyId` with `minutesOutside` would pay (0 at or below the
    ///         tolerance): the full sum from `catastrophicMinutes`, else
    ///         `sumInsured * payoutPerHourBps * ceil((minutesOutside - tolerance) / 60) / 10000`,
    ///         capped at `sumInsured`.
    function payoutFor(uint256 policyId, uint32 minutesOutside) external view returns (uint256) {
        PolicyRecord storage p = _policyRecord(policyId);
        if (minutesOutside <= p.toleranceMinutes) return 0;
        return _payout(p.sumInsured, p.toleranceMinutes, p.catastrophicMinutes, p.payoutPerHourBps, minutesOutside);
    }

    /// @notice The EIP-712 digest oracles sign for `a`.
    function hashAttestation(ExcursionAttestation calldata a) public view returns (bytes32) {
        // Every member is static, so abi.encode(a) is the 11 members each in one 32-byte word
        // (int32 sign-extended, as EIP-712 encodeData requires).
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, a)));
    }

    /// @notice The EIP-712 domain separator of this contract.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ----------------------------------------------------------------- private

    /// @dev Returns `account`'s member id; reverts unless it is an active member with `role`.
    function _requireActiveRole(address account, uint256 role) private view returns (uint256 orgId) {
        orgId = members.activeOrgOf(account);
        if (orgId == 0) revert NotAMember(account);
        if (!members.hasMemberRole(account, role)) revert MissingRole(account, role);
    }

    /// @dev The stored policy; reverts with {UnknownPolicy} if there is none.
    function _policyRecord(uint256 policyId) private view returns (PolicyRecord storage p) {
        p = _policies[policyId];
        if (p.state == PolicyState.None) revert UnknownPolicy(policyId);
    }

    /// @dev Everything about a claim except its signatures.
    function _checkAttestation(PolicyRecord storage p, ExcursionAttestation calldata a) private view {
        uint64 expiresAt = p.expiresAt;
        uint256 closedAt = uint256(expiresAt) + CLAIM_WINDOW; // uint256: cannot overflow
        if (block.timestamp > closedAt) revert ClaimWindowClosed(a.policyId, closedAt);
        if (a.deadline < block.timestamp) revert AttestationExpired(a.deadline, uint64(block.timestamp));
        if (nonceUsed[a.nonce]) revert NonceUsed(a.nonce);
        if (a.startedAt > a.endedAt) revert ExcursionEndsBeforeStart(a.startedAt, a.endedAt);
        if (a.endedAt > block.timestamp) revert ExcursionInFuture(a.endedAt, uint64(block.timestamp));
        uint64 boundAt = p.boundAt;
        if (a.startedAt < boundAt || a.endedAt > expiresAt) {
            revert ExcursionOutsideCover(a.startedAt, a.endedAt, boundAt, expiresAt);
        }
        int32 minC = p.minCentiC;
        int32 maxC = p.maxCentiC;
        if (a.peakCentiC >= minC && a.peakCentiC <= maxC) revert PeakWithinRange(a.peakCentiC, minC, maxC);
        uint32 tolerance = p.toleranceMinutes;
        if (a.minutesOutside <= tolerance) revert BelowTolerance(a.minutesOutside, tolerance);
        address publisher = p.logPublisher;
        if (a.logPublisher != publisher) revert WrongLogPublisher(publisher, a.logPublisher);
        if (!anchor.isAnchored(publisher, a.logSize, a.logRoot)) {
            revert EvidenceNotAnchored(publisher, a.logSize, a.logRoot);
        }
    }

    /// @dev Recovers every signer, requires one active ORACLE member each (not the holder's
    ///      member, no member twice) and at least `need` of them; returns their bitmap.
    function _attesters(bytes32 digest, bytes[] calldata signatures, uint256 holderOrg, uint256 need)
        private
        view
        returns (uint256 orgBitmap)
    {
        uint256 n = signatures.length;
        for (uint256 i; i < n; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            uint256 orgId = members.activeOrgOf(signer);
            if (orgId == 0 || !members.hasMemberRole(signer, ORACLE)) revert NotAnOracle(signer);
            if (orgId > MAX_ORACLE_ORG) revert OrgIdTooLarge(orgId);
            if (orgId == holderOrg) revert HolderOrgCannotAttest(orgId);
            uint256 bit = 1 << orgId;
            if (orgBitmap & bit != 0) revert DuplicateOrg(orgId);
            orgBitmap |= bit;
        }
        // n distinct members signed (each iteration set a new bit or reverted).
        if (n < need) revert NotEnoughAttestations(n, need);
    }

    /// @dev The payout formula (see {payoutFor}); `minutesOutside` > `tolerance`.
    function _payout(uint256 sumInsured, uint32 tolerance, uint32 catastrophic, uint16 bps, uint32 minutesOutside)
        private
        pure
        returns (uint256)
    {
        if (minutesOutside >= catastrophic) return sumInsured;
        uint256 startedHours = Math.ceilDiv(minutesOutside - tolerance, 60);
        return Math.min(Math.mulDiv(sumInsured, uint256(bps) * startedHours, BPS), sumInsured);
    }

    /// @dev Keeps an account's `free + locked` within 128 bits, so releases never overflow.
    function _checkTotal(uint256 total) private pure {
        if (total > type(uint128).max) revert CapitalTooLarge(total);
    }

    /// @dev Pulls exactly `amount` from `from`, refusing tokens that deliver less.
    function _pullExact(address from, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TransferShortfall(amount, received);
    }
}
