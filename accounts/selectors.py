"""Reads of the accounts domain."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import VerificationStatus
from accounts.signals import collect_user_stats


def user_stats(user) -> dict:
    """The `stats` block of the User object; apps that own the numbers fill them in via a signal."""
    stats = {
        "total_tickets_purchased": 0,
        "total_events_attended": 0,
        "events_organized": 0,
        "total_spent": 0,
        "account_age_days": (timezone.now() - user.date_joined).days,
    }
    for _receiver, contribution in collect_user_stats.send(sender=type(user), user=user):
        stats.update(contribution or {})
    return stats


NEXT_STEPS = {
    VerificationStatus.NOT_STARTED: "upload_id",
    VerificationStatus.ID_UPLOADED: "upload_selfie",
    VerificationStatus.REJECTED: "resubmit",
}


def _file_url(request, user, kind):
    if not getattr(user, kind):
        return None
    return request.build_absolute_uri(reverse("verification-file", kwargs={"kind": kind}))


def verification_state(user, request) -> dict:
    """The `data` block of V1: where the user stands and what to do next."""
    from accounts.services.verification import verification_mode

    status = user.verification_status
    rejected = status == VerificationStatus.REJECTED
    return {
        "verification_status": status,
        "verification_submitted_at": user.verification_submitted_at,
        "verified_at": user.verified_at,
        "verification_notes": user.verification_notes or None,
        "rejection_reason": (user.verification_notes or None) if rejected else None,
        "is_organizer": user.is_organizer,
        "id_document": _file_url(request, user, "id_document"),
        "selfie_image": _file_url(request, user, "selfie_image"),
        "next_step": NEXT_STEPS.get(status),
        "can_create_events": status == VerificationStatus.VERIFIED,
        "mode": verification_mode(),
    }


def user_by_identifier(value: str):
    """A user by e-mail (case-insensitive), username or numeric id; None when none matches."""
    value = (value or "").strip()
    query = Q(email__iexact=value) | Q(username=value)
    if value.isascii() and value.isdigit() and len(value) < 18:
        query |= Q(pk=int(value))
    return get_user_model().objects.filter(query).order_by("pk").first()
