// The ledger's vocabulary: what a wallet transaction can be.

/** Types of wallet transactions, in the order the API documents them. */
export const TRANSACTION_TYPES = ['credit', 'allocate', 'reclaim', 'reserve', 'settle', 'release', 'expire'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export function isTransactionType(text: string): text is TransactionType {
  return (TRANSACTION_TYPES as readonly string[]).includes(text);
}

export const WALLET_STATUSES = ['healthy', 'low', 'depleted', 'blocked'] as const;
export type WalletStatus = (typeof WALLET_STATUSES)[number];
