// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A misbehaving ERC-20 for tests only (compiled by the tests, not part of the artifacts)
/// @notice Can take a fee on every transfer, or call back into a target once during the next
///         transfer (bubbling the callee's revert), to exercise ParametricCover's defences.
contract HostileToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;
    /// @notice Fee burnt on every transfer, in basis points.
    uint256 public feeBps;
    address private _reenterTarget;
    bytes private _reenterData;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
        emit Transfer(address(0), to, amount);
    }

    function setFeeBps(uint256 bps) external {
        feeBps = bps;
    }

    /// @notice During the next transfer, call `target` with `data` first.
    function reenterOnce(address target, bytes calldata data) external {
        _reenterTarget = target;
        _reenterData = data;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        address target = _reenterTarget;
        if (target != address(0)) {
            _reenterTarget = address(0);
            (bool ok, bytes memory ret) = target.call(_reenterData);
            if (!ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        balanceOf[from] -= amount;
        uint256 fee = amount * feeBps / 10_000;
        balanceOf[to] += amount - fee;
        totalSupply -= fee;
        emit Transfer(from, to, amount - fee);
    }
}
