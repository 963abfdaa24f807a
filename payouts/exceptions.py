"""Refusals of payouts (CONTRACT.md §10, §11); each renders as the error envelope."""

from cafa.api.exceptions import DomainError


class VerificationRefused(DomainError):
    status_code = 400
    error = "Verification refused"


class RetryRateLimited(DomainError):
    status_code = 429
    error = "Rate limit exceeded"
    default_detail = "Verification can be retried 3 times in 24 hours, at least 10 minutes apart."


class WithdrawalRefused(DomainError):
    status_code = 400
    error = "Withdrawal refused"


class WithdrawalNotFound(DomainError):
    status_code = 404
    error = "Withdrawal not found"
    default_detail = "No withdrawal of yours matches this id."
