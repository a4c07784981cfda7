// @tradetwin/contracts: typed ABIs and bytecode of the TradeTwin contracts, and the dev chain.
// Browser code should import '@tradetwin/contracts/generated/index' (no Node built-ins).
export * from './generated/index.js';
export { DEV_ACCOUNTS, DEV_MNEMONIC, anvilBinary, freePort, fundAccount, startDevChain } from './devchain.js';
export type { DevChain, DevChainOptions } from './devchain.js';
export * as attestation from './attestation.js';
export { CLAIM_WINDOW_SECONDS, POLICY_STATE, computePayout } from './cover.js';
export type { PayoutTerms, PolicyStateName } from './cover.js';
