"""The sandbox's transfer side: recipients, transfers and the bank list, without keys or money.

Name enquiries answer one fixed holder name (SANDBOX_ACCOUNT_NAME).
Magic account/mobile numbers (CONTRACT.md §6.14): ending `0000` -> recipient creation and the name
enquiry are refused;
`0001` -> `transfer.failed`; `0002` -> `transfer.success` then `transfer.reversed`; anything else ->
`transfer.success`. A transfer settles `SANDBOX_TRANSFER_DELAY_SECONDS` after it is sent, by a task
that delivers the events signed exactly like Paystack's through the real webhook path.
"""

import json
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from cafa.celery import enqueue
from payments.models import SandboxRecipient, SandboxTransfer
from payments.providers.base import AccountNotResolved, ProviderError, ResolvedAccount
from payments.providers.ghana_banks import static_banks
from payments.providers.paystack import SIGNATURE_HEADER, sign
from payments.providers.sandbox_signing import sandbox_secret

REFUSED_SUFFIX = "0000"
SANDBOX_ACCOUNT_NAME = "SANDBOX ACCOUNT HOLDER"
OUTCOMES_BY_SUFFIX = {"0001": ("failed",), "0002": ("success", "reversed")}


def planned_outcomes(account_number: str) -> tuple[str, ...]:
    """The `transfer.*` events a sandbox transfer to this account will produce, in order."""
    return OUTCOMES_BY_SUFFIX.get(account_number[-4:], ("success",))


class SandboxTransfers:
    """Transfer recipients, transfers and the bank list, without keys or money."""

    def create_recipient(self, *, kind, name, account_number, bank_code, currency="GHS") -> dict:
        if kind not in ("ghipss", "mobile_money"):
            raise ValueError(f"unknown recipient kind {kind!r}")
        if account_number.endswith(REFUSED_SUFFIX) or not bank_code:
            raise ProviderError("Cannot resolve account: the account number or bank code is invalid.", status_code=400)
        recipient = SandboxRecipient.objects.create(
            recipient_code=f"RCP_sbx{secrets.token_hex(8)}",
            kind=kind,
            name=name,
            account_number=account_number,
            bank_code=bank_code,
        )
        return {
            "active": True,
            "currency": currency,
            "domain": "test",
            "id": recipient.pk,
            "name": name,
            "recipient_code": recipient.recipient_code,
            "type": kind,
            "details": {"account_number": account_number, "account_name": name, "bank_code": bank_code},
        }

    def resolve_account(self, *, account_number, bank_code) -> ResolvedAccount:
        if account_number.endswith(REFUSED_SUFFIX) or not bank_code:
            raise AccountNotResolved("Could not resolve account name. Check parameters or try again.", status_code=422)
        return ResolvedAccount(account_number=account_number, account_name=SANDBOX_ACCOUNT_NAME)

    def transfer(self, *, amount_minor, recipient_code, reference, reason, currency="GHS") -> dict:
        recipient = SandboxRecipient.objects.filter(recipient_code=recipient_code).first()
        if recipient is None:
            raise ProviderError("Recipient specified is invalid", status_code=400)
        transfer, created = SandboxTransfer.objects.get_or_create(
            reference=reference,
            defaults={
                "transfer_code": f"TRF_sbx{secrets.token_hex(8)}",
                "recipient": recipient,
                "amount_minor": amount_minor,
                "currency": currency,
                "reason": reason[:200],
            },
        )
        if created:
            transaction.on_commit(lambda: _schedule_settlement(reference))
        return self._transfer_data(transfer)

    def verify_transfer(self, reference: str) -> dict:
        transfer = SandboxTransfer.objects.select_related("recipient").filter(reference=reference).first()
        if transfer is None:
            raise ProviderError("Transfer not found", status_code=404)
        return self._transfer_data(transfer)

    def list_banks(self, kind) -> list[dict]:
        return static_banks(kind)

    def settle_transfer(self, reference: str) -> list[tuple[bytes, dict]]:
        """Move a pending transfer to its planned outcome; returns the signed events to deliver."""
        with transaction.atomic():
            transfer = SandboxTransfer.objects.select_for_update().select_related("recipient").get(reference=reference)
            if transfer.status != "pending":
                return []
            outcomes = planned_outcomes(transfer.recipient.account_number)
            deliveries = []
            for outcome in outcomes:
                transfer.status = outcome
                deliveries.append(self.signed_transfer_event(transfer, f"transfer.{outcome}"))
            transfer.save(update_fields=["status", "updated_at"])
        return deliveries

    def signed_transfer_event(self, transfer: SandboxTransfer, event: str) -> tuple[bytes, dict]:
        """A `transfer.*` body and headers, exactly as Paystack would deliver them."""
        payload = {"event": event, "data": self._transfer_data(transfer)}
        body = json.dumps(payload).encode()
        return body, {SIGNATURE_HEADER: sign(body, sandbox_secret())}

    @staticmethod
    def _transfer_data(transfer: SandboxTransfer) -> dict:
        recipient = transfer.recipient
        now = datetime.now(UTC).isoformat()
        failed = transfer.status in ("failed", "reversed")
        return {
            "amount": transfer.amount_minor,
            "currency": transfer.currency,
            "domain": "test",
            "failures": None,
            "id": transfer.pk,
            "reason": transfer.reason,
            "reference": transfer.reference,
            "source": "balance",
            "status": transfer.status,
            "transfer_code": transfer.transfer_code,
            "gateway_response": "Transfer could not be completed" if failed else None,
            "transferred_at": now if transfer.status == "success" else None,
            "createdAt": transfer.created_at.isoformat() if transfer.created_at else now,
            "updatedAt": now,
            "recipient": {
                "active": True,
                "currency": transfer.currency,
                "domain": "test",
                "name": recipient.name,
                "recipient_code": recipient.recipient_code,
                "type": recipient.kind,
                "details": {
                    "account_number": recipient.account_number,
                    "account_name": recipient.name,
                    "bank_code": recipient.bank_code,
                },
            },
        }


def _schedule_settlement(reference: str) -> None:
    enqueue("payments.settle_sandbox_transfer", reference, countdown=settings.SANDBOX_TRANSFER_DELAY_SECONDS)
