"""The sandbox's transfer side (payout-account verification and withdrawals); filled by the payouts work."""


class SandboxTransfers:
    """Transfer recipients, transfers and the bank list, without keys or money."""
