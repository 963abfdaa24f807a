"""Hooks through which later apps extend accounts without accounts importing them.

Receivers of `collect_user_stats` return a dict of User `stats` keys they know how to count;
receivers of `account_deletion_requested` return a reason (str) when the account must not be
deleted yet, else None. `payment_profile_created` is sent after the commit that created a payout
account (the payouts app starts its verification transfer); receivers of
`payment_profile_deletion_requested` return `{"message": ..., "extra": {...}}` to refuse a deletion.
Receivers of `bank_codes_requested` return the set of valid bank codes they know (None if unknown).
Receivers of `account_name_requested` (kwargs `method`, `account`: the validated account details)
return the holder's name from the provider's name enquiry; they raise `AccountNotFound` when the
provider knows no such account and `AccountNameLookupFailed` when it cannot answer now.
"""

from django.dispatch import Signal

collect_user_stats = Signal()
account_deletion_requested = Signal()
payment_profile_created = Signal()
payment_profile_deletion_requested = Signal()
bank_codes_requested = Signal()
account_name_requested = Signal()
