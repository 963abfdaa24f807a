"""Domain errors of the accounts app; the API layer renders each as the error envelope."""

from cafa.api.exceptions import DomainError


class InvalidCredentials(DomainError):
    status_code = 401
    error = "Invalid credentials"
    default_detail = "Invalid email/username or password."


class AccountNotVerified(DomainError):
    status_code = 403
    error = "Account not verified"
    default_detail = "Please verify your email before logging in."


class AccountChangeRefused(DomainError):
    """A400 refusal of A13-A16; the `error` headline names the reason."""

    status_code = 400


class StaleActivation(DomainError):
    """The activation link belongs to an account that was already activated (or since closed)."""

    status_code = 403
    error = "Permission Denied"
    default_detail = "Stale token for given user."


class VerificationRefused(DomainError):
    """An identity-verification step that the current status does not allow (CONTRACT.md §3)."""

    status_code = 400


class PaymentProfileRefused(DomainError):
    """A payout-account change that the rules of CONTRACT.md §10 refuse."""

    status_code = 400


class AccountNotFound(Exception):
    """The provider's name enquiry knows no account with this number at this bank or network."""


class AccountNameLookupFailed(DomainError):
    """The provider could not answer a name enquiry (down, slow or refusing us): nothing was saved."""

    status_code = 502
    error = "Payment provider error"
    default_detail = (
        "The account name could not be looked up right now. "
        "Try again in a few minutes, or enter the name on the account."
    )
