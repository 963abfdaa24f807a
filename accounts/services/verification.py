"""Organizer identity verification (CONTRACT.md §3, §14.6): uploads, review decisions, retry.

Every transition locks the user row, so two uploads or a review racing an upload cannot
leave the status and the files out of step.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import emails
from accounts.exceptions import VerificationRefused
from accounts.models import User, VerificationStatus
from accounts.services.organizer_access import grant_admin_access, revoke_admin_access

MANUAL, AUTO = "manual", "auto"


def verification_mode() -> str:
    return AUTO if settings.ORGANIZER_VERIFICATION == AUTO else MANUAL


def _locked(user) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _replace_file(user, field, upload):
    old = getattr(user, field)
    old_name = old.name if old else None
    getattr(user, field).save(upload.name, upload, save=False)
    if old_name:
        old.storage.delete(old_name)


def upload_id_document(*, user, document) -> User:
    """Store the ID document: from not_started, id_uploaded (replace) or rejected (resubmission)."""
    with transaction.atomic():
        user = _locked(user)
        if user.verification_status == VerificationStatus.VERIFIED:
            raise VerificationRefused("Your identity is already verified.", error="Already verified")
        if user.verification_status == VerificationStatus.PENDING:
            raise VerificationRefused("Your documents are under review.", error="Verification in progress")
        _replace_file(user, "id_document", document)
        user.verification_status = VerificationStatus.ID_UPLOADED
        user.verification_notes = ""
        user.save(update_fields=["id_document", "verification_status", "verification_notes"])
    return user


def upload_selfie(*, user, selfie) -> tuple[User, bool]:
    """Store the selfie and move the request on; a verified user stays verified (payout face check).

    Returns the user and whether an existing verified status was preserved.
    """
    with transaction.atomic():
        user = _locked(user)
        status = user.verification_status
        if status in (VerificationStatus.NOT_STARTED, VerificationStatus.REJECTED):
            raise VerificationRefused("Upload your ID document first.", error="ID document required")
        _replace_file(user, "selfie_image", selfie)
        fields = ["selfie_image"]
        if status == VerificationStatus.ID_UPLOADED:
            fields += _submit(user)
        user.save(update_fields=fields)
    if status == VerificationStatus.ID_UPLOADED and user.verification_status == VerificationStatus.PENDING:
        transaction.on_commit(lambda: emails.queue("verification_submitted", user.pk))
    return user, status == VerificationStatus.VERIFIED


def _submit(user) -> list[str]:
    user.verification_submitted_at = timezone.now()
    if verification_mode() == AUTO:
        return ["verification_submitted_at", *_mark_verified(user)]
    user.verification_status = VerificationStatus.PENDING
    return ["verification_submitted_at", "verification_status"]


def _mark_verified(user) -> list[str]:
    """Every way to `verified` passes here: the user becomes an organizer with their admin (returns fields)."""
    user.verification_status = VerificationStatus.VERIFIED
    user.is_organizer = True
    user.verified_at = timezone.now()
    return ["verification_status", "is_organizer", "verified_at", *grant_admin_access(user)]


def retry_verification(*, user) -> User:
    """After a rejection: delete the files and start again from not_started."""
    with transaction.atomic():
        user = _locked(user)
        if user.verification_status != VerificationStatus.REJECTED:
            raise VerificationRefused("Only a rejected verification can be retried.", error="Cannot retry")
        for field in ("id_document", "selfie_image"):
            if getattr(user, field):
                getattr(user, field).delete(save=False)
        user.verification_status = VerificationStatus.NOT_STARTED
        user.save(update_fields=["id_document", "selfie_image", "verification_status"])
    return user


def approve_verification(*, user) -> User:
    """Staff: pending -> verified; the user becomes an organizer (with their admin) and is told by e-mail."""
    return _decide(user, {VerificationStatus.PENDING}, _mark_verified, "verification_approved")


def reject_verification(*, user, reason: str) -> User:
    """Staff: pending -> rejected with a reason the user sees."""

    def reject(locked):
        locked.verification_status = VerificationStatus.REJECTED
        locked.verification_notes = reason
        return []

    return _decide(user, {VerificationStatus.PENDING}, reject, "verification_rejected")


def revoke_verification(*, user, reason: str = "") -> User:
    """Staff: verified -> rejected; the organizer flag and the admin access verification gave are taken back."""

    def revoke(locked):
        locked.verification_status = VerificationStatus.REJECTED
        locked.verification_notes = reason
        locked.is_organizer = False
        return revoke_admin_access(locked)

    return _decide(user, {VerificationStatus.VERIFIED}, revoke, "verification_revoked")


def _decide(user, allowed, apply, email_kind) -> User:
    with transaction.atomic():
        locked = _locked(user)
        if locked.verification_status not in allowed:
            raise VerificationRefused(f"This request is {locked.verification_status}.", error="Decision not allowed")
        access_fields = apply(locked)
        locked.save(
            update_fields=["verification_status", "verification_notes", "is_organizer", "verified_at", *access_fields]
        )
    transaction.on_commit(lambda: emails.queue(email_kind, locked.pk))
    return locked
