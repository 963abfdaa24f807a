"""The sandbox provider is an explicit choice (issue 10, item 2; CONTRACT.md §6.14, §15).

With no Paystack key the sandbox used to switch itself on, DEBUG or not, and its checkout page
(no login needed) made every ticket free. Now it runs only where PAYMENTS_SANDBOX chose it (on by
default with DEBUG alone) and no key is set; the process checks are in cafa/tests/test_deploy_settings.py.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from payments import providers
from payments.models import PaymentStatus, SandboxRecipient, SandboxTransfer
from payments.services.sandbox import deliver_transfer_events as deliver_sandbox_transfer_events
from payments.tests.fixtures import PAYSTACK_TEST_SECRET, buy
from payouts.models import TransferStatus
from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db
NOT_CHOSEN = ["paystack", "nothing"]


def choose(settings, provider):
    settings.PAYMENTS_SANDBOX = provider == "sandbox"
    settings.PAYSTACK_SECRET_KEY = PAYSTACK_TEST_SECRET if provider == "paystack" else ""


@pytest.fixture
def sandbox_payment(buyer, make_ticket_type):
    """A pending payment started while the sandbox was the provider."""
    return buy(buyer, make_ticket_type()).payment


@pytest.mark.parametrize("provider", NOT_CHOSEN)
def test_the_sandbox_checkout_page_is_gone_when_the_sandbox_is_not_chosen(client, settings, sandbox_payment, provider):
    url = f"/api/v1/payments/sandbox/{sandbox_payment.reference}/"
    assert client.get(url).status_code == 200
    choose(settings, provider)

    page = client.get(url)
    paid = client.post(url, {"outcome": "success"})

    assert page.status_code == 404 and paid.status_code == 404
    assert paid.json()["status_code"] == 404
    sandbox_payment.refresh_from_db()
    assert sandbox_payment.status == PaymentStatus.PENDING
    assert not Ticket.objects.filter(purchase=sandbox_payment.purchase, status=TicketStatus.ACTIVE).exists()


@pytest.mark.parametrize("provider", NOT_CHOSEN)
def test_sandbox_transfers_do_not_settle_when_the_sandbox_is_not_chosen(settings, provider):
    recipient = SandboxRecipient.objects.create(
        recipient_code="RCP_sandbox1", kind="mobile_money", name="Ama", account_number="0241234567", bank_code="MTN"
    )
    SandboxTransfer.objects.create(
        reference="pd-0123456789abcdef", transfer_code="TRF_1", recipient=recipient, amount_minor=100, currency="GHS"
    )
    choose(settings, provider)

    assert deliver_sandbox_transfer_events(reference="pd-0123456789abcdef") == 0
    assert SandboxTransfer.objects.get().status == TransferStatus.PENDING


def test_with_no_provider_chosen_nothing_pretends_to_be_one(settings):
    choose(settings, "nothing")

    with pytest.raises(ImproperlyConfigured, match="PAYMENTS_SANDBOX=true"):
        providers.get()


def test_a_paystack_key_always_wins_over_the_sandbox(settings):
    settings.PAYMENTS_SANDBOX = True
    settings.PAYSTACK_SECRET_KEY = PAYSTACK_TEST_SECRET

    assert providers.get().name == "paystack"
    assert not providers.sandbox_enabled()


def _sandbox_setting(**env) -> str:
    keep = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PAYMENTS_SANDBOX", "PAYSTACK_SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PAYMENTS_SANDBOX)"],
        env={**keep, "DJANGO_SETTINGS_MODULE": "cafa.settings", "SECRET_KEY": "k" * 50, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "true"}, "True"),  # make run
        ({"DEBUG": "false"}, "False"),  # production: never by default
        ({"DEBUG": "true", "PAYSTACK_SECRET_KEY": PAYSTACK_TEST_SECRET}, "False"),
        ({"DEBUG": "false", "PAYMENTS_SANDBOX": "true"}, "True"),  # a demo deployment says so
        ({"DEBUG": "true", "PAYMENTS_SANDBOX": "false"}, "False"),
    ],
)
def test_the_sandbox_is_on_by_default_only_with_debug(env, expected):
    assert _sandbox_setting(**env) == expected
