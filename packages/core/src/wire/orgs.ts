// An account as the API names it: the address (always), and the member
// organisation it belongs to on chain (MemberRegistry) when it is a member's.

export interface OrgRefJson {
  address: string;
  /** 0x12…ab form of the address, for people. */
  short: string;
  /** null: the account is no member organisation's (or the chain could not be asked). */
  orgId: number | null;
  name: string | null;
  /** "Ocean Carrier Ltd (0x12…ab)", or the bare address when no organisation is known. */
  label: string;
}
