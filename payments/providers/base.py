"""The payment-provider interface. Nothing outside `payments/providers/` knows which one runs.

Amounts cross this boundary in minor units (pesewas for GHS). Providers raise `ProviderError`
for anything that went wrong talking to them and `InvalidSignature` for a webhook that is not
theirs; they never touch the database of other apps.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request.

    `status_code` is the provider's HTTP status, or None when no answer came. Only a 4xx answer
    is a refusal; no answer or a 5xx leaves the outcome unknown (the request may have been done).
    """

    def __init__(self, message: str = "", *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code

    @property
    def refused(self) -> bool:
        return self.status_code is not None and 400 <= self.status_code < 500


class AccountNotResolved(ProviderError):
    """The provider's name enquiry knows no account with this number at this bank or network."""


class InvalidSignature(Exception):
    """A webhook body whose signature does not match."""


def to_minor_units(amount: Decimal) -> int:
    """GHS 52.50 -> 5250 pesewas."""
    return int((Decimal(amount) * 100).to_integral_value())


@dataclass(frozen=True)
class Initialization:
    """What the buyer needs to pay: the provider's page and its access code (if any)."""

    authorization_url: str
    access_code: str | None
    reference: str


@dataclass(frozen=True)
class ChargeResult:
    """The provider's word on one charge.

    `status` is one of: `success`, `failed`, `abandoned` (not paid, and the buyer may still pay),
    `cancelled` (the buyer left the checkout: final, never paid), `pending` (in progress) and
    `reversed`. `card` is `{brand, last4, exp_month, exp_year}` when a card paid.
    """

    reference: str
    status: str
    amount_minor: int
    currency: str
    channel: str | None = None
    paid_at: str | None = None
    card: dict | None = None
    gateway_response: str | None = None
    raw: dict = field(default_factory=dict)
    transaction_id: str | None = None  # the provider's id of the charge (refund events name it)

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True)
class ResolvedAccount:
    """The provider's answer to a name enquiry: who holds the account."""

    account_number: str
    account_name: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified provider event, in terms that do not depend on the provider.

    `event` is its type (`charge.success`, `transfer.failed`, `refund.processed`, ...), `data` its
    payload, `dedup_key` the key that identifies it once and `raw` the whole body as received.
    `charge` is the provider's word on the charge for `charge.*` events (None otherwise).
    """

    event: str
    data: dict
    dedup_key: str
    raw: dict
    charge: ChargeResult | None = None


class PaymentProvider(Protocol):
    name: str

    def initialize(
        self, *, reference: str, amount_minor: int, currency: str, email: str, callback_url: str, metadata: dict
    ) -> Initialization: ...

    def verify(self, reference: str) -> ChargeResult: ...

    def refund(self, *, reference: str, amount_minor: int | None = None) -> dict: ...

    def parse_webhook(self, body: bytes, headers) -> ProviderEvent:
        """Verify a webhook's signature and read the event it carries (InvalidSignature otherwise)."""

    def read_event(self, payload: dict) -> ProviderEvent:
        """Read an event stored as received (`ProviderEvent.raw`), verified when it arrived."""

    def resolve_account(self, *, account_number: str, bank_code: str) -> ResolvedAccount:
        """The holder of a bank account or wallet (the network's code as `bank_code`).

        Raises AccountNotResolved when the provider knows no such account, ProviderError otherwise.
        """
        ...


def webhook_dedup_key(event: str, data: dict) -> str:
    """`<event>:<id>`; transfers by transfer_code and refunds by refund reference (CONTRACT §6.13)."""
    if event.startswith("transfer."):
        identity = data.get("transfer_code") or data.get("reference") or data.get("id")
    elif event.startswith("refund."):
        identity = data.get("refund_reference") or data.get("reference") or data.get("id")
    else:
        identity = data.get("id") or data.get("reference")
    return f"{event}:{identity}"
