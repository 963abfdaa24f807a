"""Admin for the ledger and withdrawals; filled by the payouts work."""
