// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TradeTwin settlement token
/// @notice A plain ERC-20 test stablecoin for the embedded chain (tUSD, 6 decimals), minted by a
///         single minter. Any ERC-20 can replace it by configuration: the cover contracts only
///         use the IERC20 interface.
/// @dev No fee on transfer, no rebasing, no hooks. Mints emit the standard `Transfer(0, to, amount)`.
contract SettlementToken is ERC20 {
    /// @notice The only account allowed to mint, fixed at deployment.
    address public immutable minter;

    uint8 private immutable _decimals;

    /// @notice `caller` is not the minter.
    error NotMinter(address caller);
    /// @notice The zero address is not allowed here.
    error ZeroAddress();

    /// @param name_ Token name, e.g. "TradeTwin USD".
    /// @param symbol_ Token symbol, e.g. "tUSD".
    /// @param decimals_ Number of decimals, e.g. 6.
    /// @param minter_ The account allowed to mint; not zero.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address minter_) ERC20(name_, symbol_) {
        if (minter_ == address(0)) revert ZeroAddress();
        minter = minter_;
        _decimals = decimals_;
    }

    /// @notice Mints `amount` (smallest units) to `to`.
    /// @dev Only the minter. Emits `Transfer(address(0), to, amount)`; reverts with
    ///      `ERC20InvalidReceiver(address(0))` for the zero address.
    /// @param to The receiver.
    /// @param amount Amount in the token's smallest unit.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }

    /// @notice Number of decimals of the token's display unit.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
