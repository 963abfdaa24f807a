"""Account e-mails: built and sent by a Celery task after the commit that caused them.

djoser calls `Queued*Email(request, context).send(to)`; we only queue the task there, so no
request waits on SMTP and the worker builds the message (and its token) itself.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import tokens
from cafa.celery import enqueue_or_run

SUBJECTS = {
    "activation": "Activate your Cafa Tickets account",
    "password_reset": "Reset your Cafa Tickets password",
    "email_change_confirm": "Confirm your new e-mail address",
    "email_changed_notice": "Your Cafa Tickets e-mail address was changed",
    "verification_submitted": "Organizer verification waiting for review",
    "verification_approved": "You are now a verified organizer",
    "verification_rejected": "Your organizer verification was not approved",
    "verification_revoked": "Your organizer verification was revoked",
}


def queue(kind: str, user_id: int, **extra) -> None:
    """Hand the e-mail to the task queue (in-process when tasks are eager, or when the broker is down)."""
    enqueue_or_run("accounts.send_account_email", kind, user_id, **extra)


def build(kind: str, user, **extra) -> EmailMultiAlternatives:
    """The finished message of `kind` for `user`."""
    context, recipient = _context_and_recipient(kind, user, **extra)
    context.update(user=user, frontend_url=settings.FRONTEND_URL)
    body = render_to_string(f"accounts/email/{kind}.txt", context)
    recipients = recipient if isinstance(recipient, list) else [recipient]
    return EmailMultiAlternatives(SUBJECTS[kind], body, settings.DEFAULT_FROM_EMAIL, recipients)


def _context_and_recipient(kind, user, **extra):
    if kind == "activation":
        uid, token = _uid_token(user)
        return {"link": f"{settings.FRONTEND_URL}/activate/{uid}/{token}"}, user.email
    if kind == "password_reset":
        uid, token = _uid_token(user)
        return {"link": f"{settings.FRONTEND_URL}/password-reset?uid={uid}&token={token}"}, user.email
    if kind == "email_change_confirm":
        change = user.email_changes.get(pk=extra["change_id"])
        uid, token = tokens.email_change_link_parts(change)
        link = f"{settings.FRONTEND_URL}/confirm-email?uid={uid}&token={token}"
        return {"link": link, "new_email": change.new_email}, change.new_email
    if kind == "email_changed_notice":
        return {"new_email": user.email}, extra["old_email"]
    if kind == "verification_submitted":
        return {"review_url": "/admin/accounts/verificationrequest/"}, _staff_addresses()
    if kind.startswith("verification_"):
        return {"reason": user.verification_notes}, user.email
    raise ValueError(f"unknown account e-mail {kind!r}")


def _staff_addresses() -> list[str]:
    from accounts.models import User

    configured = settings.STAFF_NOTIFICATION_EMAILS
    return configured or list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))


def _uid_token(user):
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


class _QueuedEmail:
    kind = ""

    def __init__(self, request=None, context=None):
        self.user = (context or {})["user"]

    def send(self, to, *args, **kwargs):
        user_id, kind = self.user.pk, self.kind
        transaction.on_commit(lambda: queue(kind, user_id))


class QueuedActivationEmail(_QueuedEmail):
    kind = "activation"


class QueuedPasswordResetEmail(_QueuedEmail):
    kind = "password_reset"
