"""Payout accounts of organizers (CONTRACT.md §10 M1-M6).

A user's profile operations run under a lock on the user row, so "first profile becomes the
default" and "one default at a time" hold when two requests arrive together. Verification of
the account (the GHS 1.00 transfer) is started by the payouts app on `payment_profile_created`.
"""

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.exceptions import AccountNotFound, PaymentProfileRefused
from accounts.models import PaymentProfile, PaymentProfileStatus, User
from accounts.signals import account_name_requested, payment_profile_created, payment_profile_deletion_requested


def _lock_owner(user_id):
    User.objects.select_for_update().get(pk=user_id)


def create_payment_profile(*, user, method, name, account, description="") -> PaymentProfile:
    """Save a new pending payout account; the caller's first one becomes the default.

    Without an `account_name` the holder's name comes from the provider's name enquiry (before any
    lock is taken) and is stored as both the account name and the resolved name. An account the
    provider does not know is a 400 on `account_number`; a provider outage is a 502. Either way
    nothing is saved.
    """
    account = _with_holder_name(method, account)
    with transaction.atomic():
        _lock_owner(user.pk)
        live = PaymentProfile.objects.live().filter(user=user)
        if live.filter(method=method, account_number=account["account_number"]).exists():
            raise ValidationError({"account_details": ["This account is already one of your payment profiles."]})
        profile = PaymentProfile.objects.create(
            user=user,
            method=method,
            name=name,
            description=description,
            is_default=not live.exists(),
            **account,
        )
    transaction.on_commit(lambda: payment_profile_created.send(sender=PaymentProfile, profile=profile))
    return profile


def _with_holder_name(method, account: dict) -> dict:
    """The account details with the holder's name: the one sent, else the provider's answer."""
    if account.get("account_name"):
        return account
    try:
        answers = account_name_requested.send(sender=PaymentProfile, method=method, account=account)
    except AccountNotFound:
        message = "No account with this number was found. Check the number and the bank or network."
        raise ValidationError({"account_details": {"account_number": [message]}}) from None
    name = next((answer for _receiver, answer in answers if answer), "")
    if not name:
        raise ValidationError({"account_details": {"account_name": ["Enter the name on the account."]}})
    return {**account, "account_name": name, "resolved_account_name": name}


def update_payment_profile(*, profile, **changes) -> PaymentProfile:
    """Rename or re-describe a profile; `is_default: true` follows the set-default rule."""
    make_default = changes.pop("is_default", False)
    for field in ("name", "description"):
        if field in changes:
            setattr(profile, field, changes[field])
    profile.save(update_fields=["name", "description", "updated_at"])
    if make_default:
        profile = set_default_payment_profile(profile=profile)
    return profile


def set_default_payment_profile(*, profile) -> PaymentProfile:
    """Make a verified profile the default and clear the previous one."""
    if not profile.is_verified:
        raise PaymentProfileRefused("Only a verified profile can be the default.", error="Profile not verified")
    with transaction.atomic():
        _lock_owner(profile.user_id)
        PaymentProfile.objects.live().filter(user_id=profile.user_id, is_default=True).exclude(pk=profile.pk).update(
            is_default=False
        )
        PaymentProfile.objects.filter(pk=profile.pk).update(is_default=True, updated_at=timezone.now())
    profile.refresh_from_db()
    return profile


def delete_payment_profile(*, profile) -> None:
    """Soft-delete a profile unless it is the default among others or other apps still use it."""
    with transaction.atomic():
        _lock_owner(profile.user_id)
        others = PaymentProfile.objects.live().filter(user_id=profile.user_id).exclude(pk=profile.pk)
        if profile.is_default and others.exists():
            raise PaymentProfileRefused(
                "Make another profile the default before deleting this one.", error="Cannot delete payment profile"
            )
        for _receiver, objection in payment_profile_deletion_requested.send(sender=PaymentProfile, profile=profile):
            if objection:
                raise PaymentProfileRefused(
                    objection["message"], error="Cannot delete payment profile", **objection.get("extra", {})
                )
        profile.deleted_at = timezone.now()
        profile.is_default = False
        profile.save(update_fields=["deleted_at", "is_default", "updated_at"])


# --- Verification state: the payouts app decides, these record ------------------------------------
# A profile's verification fields belong to accounts; the payouts app runs the GHS 1.00 transfer and
# calls these, holding the profile's row lock, to record each step.


def save_transfer_recipient(*, profile, recipient_code: str, resolved_account_name: str = "") -> None:
    """The provider's recipient for this account (and the holder's name as the bank knows it)."""
    profile.recipient_code = recipient_code
    changes = {"recipient_code": recipient_code, "updated_at": timezone.now()}
    if resolved_account_name:
        profile.resolved_account_name = changes["resolved_account_name"] = resolved_account_name[:150]
    PaymentProfile.objects.filter(pk=profile.pk).update(**changes)


def begin_verification(*, profile, reference: str) -> None:
    """A new verification transfer `reference` is under way: the profile is pending again."""
    profile.status = PaymentProfileStatus.PENDING
    profile.verification_reference = reference
    profile.verification_transfer_code = ""
    profile.failure_reason = ""
    profile.verification_attempts += 1
    profile.verification_initiated_at = timezone.now()
    profile.save(
        update_fields=[
            "status",
            "verification_reference",
            "verification_transfer_code",
            "failure_reason",
            "verification_attempts",
            "verification_initiated_at",
            "updated_at",
        ]
    )


def mark_verifying(*, profile, transfer_code: str) -> None:
    """The provider accepted the verification transfer."""
    profile.status = PaymentProfileStatus.VERIFYING
    profile.verification_transfer_code = transfer_code
    profile.save(update_fields=["status", "verification_transfer_code", "updated_at"])


def mark_verified(*, profile, transfer_code: str, resolved_account_name: str, at) -> None:
    """The transfer arrived: the account is the holder's."""
    profile.status, profile.verified_at, profile.failure_reason = PaymentProfileStatus.VERIFIED, at, ""
    profile.verification_transfer_code = transfer_code
    if resolved_account_name:
        profile.resolved_account_name = resolved_account_name[:150]
    profile.save(
        update_fields=[
            "status",
            "verified_at",
            "failure_reason",
            "verification_transfer_code",
            "resolved_account_name",
            "updated_at",
        ]
    )


def mark_verification_failed(*, profile, reason: str) -> None:
    """The transfer was refused, failed or reversed: the profile cannot be paid into until retried."""
    profile.status = PaymentProfileStatus.FAILED
    profile.failure_reason = reason[:300]
    profile.verified_at = None
    profile.save(update_fields=["status", "failure_reason", "verified_at", "updated_at"])
