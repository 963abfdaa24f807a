"""System checks on the payment provider choice and the legacy Stripe settings.

The provider choice runs with every manage.py command and at the start of every process
(cafa/startup.py); the production checks at deploy level (`manage.py check --deploy`).
"""

from django.conf import settings
from django.core import checks

from cafa.startup import STARTUP
from payments.providers import NO_PROVIDER


@checks.register(STARTUP)
def check_provider_is_chosen(app_configs=None, **kwargs):
    """Exactly one provider: a Paystack key, or the sandbox by PAYMENTS_SANDBOX."""
    if settings.PAYSTACK_SECRET_KEY and settings.PAYMENTS_SANDBOX:
        return [
            checks.Error(
                "PAYSTACK_SECRET_KEY and PAYMENTS_SANDBOX=true are both set: choose one payment provider.",
                hint="Unset PAYMENTS_SANDBOX to take real payments through Paystack, or unset the key for a demo.",
                id="payments.E002",
            )
        ]
    if not settings.PAYSTACK_SECRET_KEY and not settings.PAYMENTS_SANDBOX:
        return [
            checks.Error(
                NO_PROVIDER,
                hint="PAYMENTS_SANDBOX is on by default only with DEBUG; a production process needs a key or the flag.",
                id="payments.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_free_tickets_in_production(app_configs=None, **kwargs):
    """With DEBUG off, a provider that lets anyone pay without money is worth a warning."""
    if settings.DEBUG:
        return []
    if settings.PAYMENTS_SANDBOX and not settings.PAYSTACK_SECRET_KEY:
        return [
            checks.Warning(
                "The sandbox payment provider is on with DEBUG off: no money moves, every ticket is free, and "
                "its checkout page needs no login.",
                hint="Set PAYSTACK_SECRET_KEY and unset PAYMENTS_SANDBOX for real sales.",
                id="payments.W001",
            )
        ]
    if settings.PAYSTACK_SECRET_KEY.startswith("sk_test_"):
        return [
            checks.Warning(
                "PAYSTACK_SECRET_KEY is a test key with DEBUG off: Paystack's test cards pay for real tickets.",
                hint="Use the live secret key (sk_live_...) in production.",
                id="payments.W002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_stripe_in_production(app_configs=None, **kwargs):
    """With DEBUG off, Stripe settings under which test cards buy tickets, or Stripe's word never arrives."""
    if settings.DEBUG or not settings.STRIPE_SECRET_KEY:
        return []
    problems = []
    if settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_")):
        problems.append(
            checks.Warning(
                "STRIPE_SECRET_KEY is a test key with DEBUG off: Stripe's test cards pay for real tickets on the "
                "legacy endpoints.",
                hint="Use the live secret key (sk_live_...) in production.",
                id="payments.W003",
            )
        )
    if not settings.STRIPE_WEBHOOK_SECRET:
        problems.append(
            checks.Error(
                "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: every Stripe webhook is refused, so a "
                "refund made in Stripe's dashboard leaves the tickets valid and the organizer credited.",
                hint="Set STRIPE_WEBHOOK_SECRET to the signing secret (whsec_...) of the endpoint "
                "<PUBLIC_API_URL>/api/payments/webhook/ in Stripe's dashboard.",
                id="payments.E003",
            )
        )
    return problems
